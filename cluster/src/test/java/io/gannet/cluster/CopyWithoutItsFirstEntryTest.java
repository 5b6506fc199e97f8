package io.gannet.cluster;

import static io.gannet.cluster.Qos1.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopped before its copies of the session partitions got their first entry: Ratis keeps a group's members
 * only in its log, so at the next start it recovered copies that knew no members, and shut each down at its first
 * election, unseen. The partitions then ran on one copy fewer. Here n3's first run ends before n1 and n2 ever start;
 * at its second every copy it keeps must run and count toward the majority. Three broker processes on loopback,
 * Netty's leak detector at paranoid.
 */
class CopyWithoutItsFirstEntryTest {
    private static final Duration AGREED = Duration.ofSeconds(60);

    @TempDir
    static Path root;
    static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ClusterProcesses(root, 3);
        cluster.node(3).start();
        cluster.node(3).stop();
        cluster.start();
        cluster.awaitEach(sys -> sys.get("quorum") == 1 && sys.get("partitions/kept") == SessionPartitions.COUNT,
                AGREED);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.closeAndCheckLeaks();
    }

    @Test
    void itsCopiesAreFormedAgainWithTheMembersAndCountTowardTheMajority() throws Exception {
        // Ratis may have shut one down already (NOT_IN_CONF) before its turn came: it is formed again all the same.
        assertThat(cluster.node(3).allOutput()).contains("is formed again");

        // With n1 gone, each partition's majority is n2 and n3: a persistent session on n2 keeps its messages.
        cluster.node(1).stop();
        Mqtt5BlockingClient sub = MqttClient.builder().useMqttVersion5().identifier("first-entry-sub")
                .serverHost("127.0.0.1").serverPort(cluster.node(2).mqttPort).buildBlocking();
        await().atMost(AGREED).ignoreExceptions().until(() -> sub.connectWith().cleanStart(true)
                .sessionExpiryInterval(3600).send() != null);
        sub.subscribeWith().topicFilter("first/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient pub = MqttClient.builder().useMqttVersion5().identifier("first-entry-pub")
                .serverHost("127.0.0.1").serverPort(cluster.node(2).mqttPort).buildBlocking();
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "first/m", "m") == Mqtt5PubAckReasonCode.SUCCESS);
        pub.disconnect();
        sub.disconnect();
        try (SysWatch sys3 = SysWatch.once(cluster.node(3).mqttPort)) {
            await().atMost(AGREED).until(() -> sys3.get("quorum") == 1);
            assertThat(sys3.get("partitions/failed")).isZero();
        }
        cluster.node(1).start();
    }
}
