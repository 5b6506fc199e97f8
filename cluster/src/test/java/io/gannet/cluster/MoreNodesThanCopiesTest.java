package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static io.gannet.cluster.Qos1.firstArrivals;
import static io.gannet.cluster.Qos1.reasonOf;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.gannet.broker.config.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four nodes with three copies of each session partition: a node that holds a session need not keep a copy of its
 * partition, and then does not hear of a takeover as the partition applies it. Four broker processes on loopback,
 * Netty's leak detector at paranoid.
 */
class MoreNodesThanCopiesTest {
    private static final Duration AGREED = Duration.ofSeconds(30);
    private static final int NODES = 4;

    @TempDir
    static Path root;
    static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ClusterProcesses(root, NODES).start();
        // Eight partitions of three copies over four nodes: six copies each, give or take.
        cluster.awaitEach(sys -> sys.get("quorum") == 1 && sys.get("partitions/kept") > 0, AGREED);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.closeAndCheckLeaks();
    }

    @Test
    void aNodeOutsideTheSessionsPartitionIsToldWhenItsClientMovesAndNoMessageIsLost() throws Exception {
        String clientId = outsideOf("n4");
        CompletableFuture<Mqtt5DisconnectReasonCode> closedWith = new CompletableFuture<>();
        Mqtt5BlockingClient onN4 = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost("127.0.0.1").serverPort(cluster.node(4).mqttPort)
                .addDisconnectedListener(ctx -> closedWith.complete(ctx.getCause()
                        instanceof Mqtt5DisconnectException d ? d.getMqttMessage().getReasonCode() : null))
                .buildBlocking();
        onN4.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        onN4.subscribeWith().topicFilter("stray/#").qos(MqttQos.AT_LEAST_ONCE).send();

        Mqtt5BlockingClient pub = client(2, "stray-publisher");
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "stray/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS);

        // The client turns up on n1 while its connection to n4 still looks open: n1 claims the session.
        Mqtt5BlockingClient onN1 = client(1, clientId);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = onN1.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(onN1.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                    .isTrue();
            // n4 keeps no copy of the partition, so n1 tells it over their link: it closes its connection with 0x8E
            // and forgets the session, before any message has to fail there. (Were the link down, the partition
            // would tell it, by refusing the session's next change from it.)
            assertThat(closedWith.get(30, TimeUnit.SECONDS)).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
            // Published from the very moment of the move: until n1 hosts the session and routes its filter, n4
            // still holds its subscription and fails what reaches it. Each message is sent until it is acknowledged.
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String payload = "s" + i;
                await().atMost(AGREED).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                        .until(() -> reasonOf(pub, "stray/m", payload) == Mqtt5PubAckReasonCode.SUCCESS);
                sent.add(payload);
            }
            assertThat(firstArrivals(received, "s", sent.size())).containsExactlyElementsOf(sent);
        }
        // n4 holds the session no more: every message is acknowledged at the first try.
        for (int i = 0; i < 50; i++) {
            assertThat(reasonOf(pub, "stray/after", "a" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
        onN1.disconnect();
        pub.disconnect();
    }

    /** A client id whose session partition {@code node} keeps no copy of. */
    private static String outsideOf(String node) {
        List<ClusterConfig.Node> nodes = IntStream.rangeClosed(1, NODES)
                .mapToObj(i -> new ClusterConfig.Node("n" + i, "127.0.0.1", 1, 1)).toList();
        SessionPartitions partitions = new SessionPartitions(nodes, 3);
        for (int i = 0; ; i++) {
            String id = "stray-" + i;
            if (!partitions.isMember(node, SessionPartitions.partitionOf(id))) {
                return id;
            }
        }
    }

    private static Mqtt5BlockingClient client(int node, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildBlocking();
    }
}
