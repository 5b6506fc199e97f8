package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
        publish(pub, "orders/o", "m", count);
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
            assertReceived(received, "m", count);
        }
        // The client's PUBACKs reach the partition too: its queue is empty on every copy.
        await().atMost(AGREED).until(() -> sys2.get("partitions/messages") == 0
                && sys3.get("partitions/messages") == 0);
        back.disconnect();
    }

    @Test
    @Order(2)
    void aClientThatMovesToAnotherNodeTakesItsSessionAlongAndTheOldConnectionIsClosedWithSessionTakenOver()
            throws Exception {
        Mqtt5BlockingClient first = client(2, "mover");
        first.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        first.subscribeWith().topicFilter("moves/#").qos(MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();

        Mqtt5BlockingClient pub = client(1, "mover-publisher");
        pub.connect();
        // Once n1 knows of the subscription on n2 (a probe is then queued for the session too).
        await().atMost(AGREED).until(() -> reasonOf(pub, "moves/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS);
        publish(pub, "moves/a", "m", 100);

        // Offline on n2, back on n3: the queue comes along, in order.
        CompletableFuture<Mqtt5DisconnectReasonCode> closedWith = new CompletableFuture<>();
        Mqtt5BlockingClient onN3 = MqttClient.builder().useMqttVersion5().identifier("mover").serverHost("127.0.0.1")
                .serverPort(cluster.node(3).mqttPort)
                .addDisconnectedListener(ctx -> closedWith.complete(ctx.getCause()
                        instanceof Mqtt5DisconnectException d ? d.getMqttMessage().getReasonCode() : null))
                .buildBlocking();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = onN3.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(onN3.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                    .isTrue();
            assertReceived(received, "m", 100); // the queue taken over from n2
        }

        // Connected on n3, and now on n1 as well: n3 closes its connection with 0x8E, n1 has the session.
        Mqtt5BlockingClient onN1 = client(1, "mover");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = onN1.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(onN1.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                    .isTrue();
            assertThat(closedWith.get(30, TimeUnit.SECONDS)).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
            // The subscription came along: once the cluster routes to n1, messages arrive there, in order.
            await().atMost(AGREED).until(() -> {
                publish(pub, "moves/probe", "probe", 1);
                return received.receive(500, TimeUnit.MILLISECONDS).isPresent();
            });
            publish(pub, "moves/b", "n", 50);
            assertReceived(received, "n", 50);
        }
        onN1.disconnect();
        pub.disconnect();
    }

    private static void publish(Mqtt5BlockingClient pub, String topic, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(reasonOf(pub, topic, prefix + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
    }

    private static Mqtt5PubAckReasonCode reasonOf(Mqtt5BlockingClient pub, String topic, String payload) {
        Mqtt5PublishResult r = pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
    }

    /** {prefix}0 to {prefix}{count - 1} arrive in that order (probes from an earlier wait passed over). */
    private static void assertReceived(Mqtt5BlockingClient.Mqtt5Publishes received, String prefix, int count)
            throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (got.size() < count) {
            Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
            if (p.isEmpty()) {
                break;
            }
            String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
            if (!payload.startsWith("probe")) {
                got.add(payload);
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(prefix + i);
        }
        assertThat(got).containsExactlyElementsOf(expected);
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
