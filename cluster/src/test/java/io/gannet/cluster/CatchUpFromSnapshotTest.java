package io.gannet.cluster;

import static io.gannet.cluster.Qos1.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that was away while the others went past a snapshot, and dropped the log before it, gets the leader's
 * snapshot instead of the entries it missed. Its copies must keep running after they load it: Ratis closed a copy
 * whose state machine did not pause for the install, and the partition went on with one copy fewer, unseen, until
 * the next node left. Three broker processes on loopback, a snapshot every 20 entries, Netty's leak detector at
 * paranoid.
 */
class CatchUpFromSnapshotTest {
    private static final Duration AGREED = Duration.ofSeconds(60);
    private static final int COUNT = 200;

    @TempDir
    static Path root;
    static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ClusterProcesses(root, 3, "  snapshot-entries: 20\n").start();
        cluster.awaitEach(sys -> sys.get("quorum") == 1 && sys.get("partitions/kept") == SessionPartitions.COUNT,
                AGREED);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.closeAndCheckLeaks();
    }

    /** Messages m{from} to m{to - 1}, each acknowledged before the next, from a publisher on n1. */
    private static void publish(int from, int to) {
        Mqtt5BlockingClient pub = client(1, "behind-pub");
        await().atMost(AGREED).ignoreExceptions().until(() -> pub.connect() != null);
        for (int i = from; i < to; i++) {
            int n = i;
            // The partition may still be electing after a restart: a message refused meanwhile is sent again.
            await().atMost(AGREED).until(() -> reasonOf(pub, "snap/m", "m" + n) == Mqtt5PubAckReasonCode.SUCCESS);
        }
        pub.disconnect();
    }

    private static Mqtt5BlockingClient client(int node, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildBlocking();
    }

    @Test
    void aNodeThatMissedEntriesBeforeTheLeadersSnapshotLoadsItAndItsCopiesKeepRunning() throws Exception {
        Mqtt5BlockingClient sub = client(1, "behind-sub");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        sub.subscribeWith().topicFilter("snap/#").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        cluster.awaitEach(sys -> sys.get("partitions/sessions") >= 1, AGREED);

        cluster.node(3).stop();
        publish(0, COUNT / 2);
        // A node takes a snapshot as it stops and starts a new log segment when it starts: the snapshots taken after
        // that drop the entries before them, the ones n3 missed. Then the leaders have only a snapshot to give it.
        for (int node = 1; node <= 2; node++) {
            cluster.node(node).stop();
            cluster.node(node).start();
            cluster.awaitEachRunning(sys -> sys.get("quorum") == 1, AGREED);
        }
        publish(COUNT / 2, COUNT);
        Mqtt5BlockingClient churn = client(2, "behind-churn");
        churn.connect();
        for (int i = 0; i < 60; i++) {
            churn.subscribeWith().topicFilter("churn/" + i).qos(MqttQos.AT_MOST_ONCE).send();
        }
        churn.disconnect();

        cluster.node(3).start();
        try (SysWatch sys3 = SysWatch.once(cluster.node(3).mqttPort)) {
            await().atMost(AGREED).until(() -> sys3.get("quorum") == 1 && sys3.get("partitions/messages") == COUNT);
            assertThat(sys3.get("partitions/failed")).isZero();
        }
        String log3 = cluster.node(3).allOutput();
        assertThat(log3).contains("loaded the leader's snapshot").doesNotContain("caught a Throwable");

        // Its copies count now: with the session's own node gone too, the partition's majority is n2 and n3.
        cluster.node(1).stop();
        Mqtt5BlockingClient back = client(2, "behind-sub");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = back.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck ack = await().atMost(AGREED).ignoreExceptions().until(() -> back.connectWith()
                    .cleanStart(false).sessionExpiryInterval(3600).send(), a -> true);
            assertThat(ack.isSessionPresent()).isTrue();
            List<String> got = new ArrayList<>();
            while (got.size() < COUNT) {
                Optional<Mqtt5Publish> p = received.receive(20, TimeUnit.SECONDS);
                if (p.isEmpty()) {
                    break;
                }
                String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
                if (!got.contains(payload)) {
                    got.add(payload);
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                expected.add("m" + i);
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        }
        back.disconnect();
        cluster.node(1).start();
    }
}
