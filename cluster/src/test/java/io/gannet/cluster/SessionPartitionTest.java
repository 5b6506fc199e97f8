package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent sessions kept in the session partitions (Raft groups of replication-factor nodes) rather than on the
 * node their client uses: what a session holds is on the other members of its partition before its publisher is
 * acknowledged, and a node killed with SIGKILL gets its sessions back from the partitions when it restarts. Three
 * broker processes on loopback, Netty's leak detector at paranoid.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionPartitionTest {
    private static final Duration AGREED = Duration.ofSeconds(30);

    @TempDir
    static Path root;
    static ClusterProcesses cluster;
    static SysWatch sys2;
    static SysWatch sys3;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ClusterProcesses(root, 3).start();
        sys2 = new SysWatch(cluster.node(2).mqttPort);
        sys3 = new SysWatch(cluster.node(3).mqttPort);
        // Three nodes, three copies: every node keeps every partition.
        await().atMost(AGREED).until(() -> sys2.get("quorum") == 1 && sys3.get("quorum") == 1
                && sys2.get("partitions/kept") == SessionPartitions.COUNT
                && sys3.get("partitions/kept") == SessionPartitions.COUNT);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        sys2.close();
        sys3.close();
        cluster.close();
        cluster.printLogs();
        for (ClusterProcesses.Node n : cluster.nodes()) {
            assertThat(n.allOutput()).as("Netty's leak detector on %s", n.id).doesNotContain("LEAK:");
        }
    }

    private static Mqtt5BlockingClient client(int node, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildBlocking();
    }

    @Test
    @Order(1)
    void theQueueOfAnOfflineSessionIsOnItsPartitionsOtherMembersAndComesBackAfterItsNodeIsKilled() throws Exception {
        Mqtt5BlockingClient sub = client(1, "durable-on-n1");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        sub.subscribeWith().topicFilter("orders/#").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        await().atMost(AGREED).until(() -> sys2.get("partitions/sessions") >= 1 && sys3.get("partitions/sessions") >= 1);

        Mqtt5BlockingClient pub = client(1, "publisher-on-n1");
        pub.connect();
        int count = 300;
        for (int i = 0; i < count; i++) {
            Mqtt5PublishResult r = pub.publishWith().topic("orders/o" + (i % 7)).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
            assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode())
                    .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
        pub.disconnect();
        // Each acknowledgement waited for a majority of the partition; the others learn of it as they apply.
        await().atMost(AGREED).until(() -> sys2.get("partitions/messages") == count
                && sys3.get("partitions/messages") == count);

        cluster.node(1).kill();
        cluster.node(1).start();
        try (SysWatch sys1 = awaitStarted(1)) {
            await().atMost(AGREED).until(() -> sys1.get("quorum") == 1);
        }
        Mqtt5BlockingClient back = client(1, "durable-on-n1");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = back.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck ack = back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            assertThat(ack.isSessionPresent()).isTrue();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
                assertThat(p).as("message %d of %d", i, count).isPresent();
                got.add(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                expected.add("m" + i);
            }
            assertThat(got).containsExactlyElementsOf(expected);
        }
        // The client's PUBACKs reach the partition too: its queue is empty on every copy.
        await().atMost(AGREED).until(() -> sys2.get("partitions/messages") == 0
                && sys3.get("partitions/messages") == 0);
        back.disconnect();
    }

    /** A watch on a node that has just started: its listener may take a moment to open. */
    private static SysWatch awaitStarted(int node) {
        SysWatch[] watch = new SysWatch[1];
        await().atMost(AGREED).ignoreExceptions().until(() -> {
            watch[0] = new SysWatch(cluster.node(node).mqttPort);
            return true;
        });
        return watch[0];
    }
}
