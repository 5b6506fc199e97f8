package io.gannet.cluster;

import static io.gannet.cluster.Qos1.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node found down while it still runs (it answered late: a long pause, a stalled VM) and a persistent session
 * that moves to it and away again meanwhile, under a QoS 1 load: every acknowledged message reaches the session.
 * Three broker processes on loopback; the node is frozen with SIGSTOP just long enough to be found down.
 */
class FlappingNodeTest {
    private static final Duration AGREED = Duration.ofSeconds(30);

    @TempDir
    static Path root;
    static ClusterProcesses cluster;
    static SysWatch sys2;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ClusterProcesses(root, 3, "", "sessions:\n  max-queued-messages: 100000\n").start();
        sys2 = new SysWatch(cluster.node(2).mqttPort);
        await().atMost(AGREED).until(() -> sys2.get("quorum") == 1 && sys2.get("nodes/down") == 0
                && sys2.get("partitions/kept") == SessionPartitions.COUNT);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        sys2.close();
        cluster.closeAndCheckLeaks();
    }

    @Test
    void aSessionThatMovesOntoANodeFoundDownWhileItRunsMissesNoAcknowledgedMessage() throws Exception {
        Mqtt5BlockingClient anchor = client(1, "flap-anchor");
        anchor.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> { }); // it keeps them; they are not counted
        anchor.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        anchor.subscribeWith().topicFilter("flap/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Set<String> received = ConcurrentHashMap.newKeySet();
        Mqtt5AsyncClient mover = mover(1, received);
        mover.connectWith().cleanStart(true).sessionExpiryInterval(3600).send().get(30, TimeUnit.SECONDS);
        mover.subscribeWith().topicFilter("flap/#").qos(MqttQos.AT_LEAST_ONCE).send().get(30, TimeUnit.SECONDS);
        Mqtt5BlockingClient pub = client(2, "flap-publisher");
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "flap/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS
                && received.contains("probe"));

        Qos1.Load load = new Qos1.Load(pub, "flap/m", "v");
        for (int round = 0; round < 4; round++) {
            mover = moveTo(3, received);
            load.awaitMore(20, AGREED);
            // n3 freezes until the others find it down, and then runs on while they adopt its sessions: the
            // session comes back to it in that very stretch.
            cluster.node(3).pause();
            try {
                await().atMost(AGREED).until(() -> sys2.get("nodes/down") == 1);
            } finally {
                cluster.node(3).resume();
            }
            System.out.println(Qos1.TIME.format(Instant.now()) + " round " + round + ": n3 resumed");
            mover = moveTo(3, received);
            load.awaitMore(20, AGREED);
            mover = moveTo(1, received);
            load.awaitMore(20, AGREED);
            await().atMost(AGREED).until(() -> sys2.get("nodes/down") == 0);
        }
        load.close();
        System.out.println("flaps: " + load.acknowledged.size() + " acknowledged, " + load.failed.get() + " not");
        await().atMost(AGREED).untilAsserted(() -> assertThat(load.missingFrom(received))
                .as("acknowledged, never received by the moving session").isEmpty());
        mover.disconnect().get(10, TimeUnit.SECONDS);
        anchor.disconnectWith().sessionExpiryInterval(0).send();
        pub.disconnect();
    }

    /** The moving session's client connects on {@code node} and resumes its session there. */
    private static Mqtt5AsyncClient moveTo(int node, Set<String> received) {
        Mqtt5AsyncClient[] next = new Mqtt5AsyncClient[1];
        boolean[] present = new boolean[1];
        // A node that has just been found down or up again may refuse a session it cannot reach yet (0x88).
        await().atMost(AGREED).ignoreExceptions().until(() -> {
            next[0] = mover(node, received);
            present[0] = next[0].connectWith().cleanStart(false).sessionExpiryInterval(3600).send()
                    .get(30, TimeUnit.SECONDS).isSessionPresent();
            return true;
        });
        assertThat(present[0]).as("session present on n%d", node).isTrue();
        return next[0];
    }

    private static Mqtt5AsyncClient mover(int node, Set<String> received) {
        Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier("flap-sub").serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildAsync();
        c.publishes(MqttGlobalPublishFilter.ALL, p -> received.add(new String(p.getPayloadAsBytes(),
                StandardCharsets.UTF_8)));
        return c;
    }

    private static Mqtt5BlockingClient client(int node, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildBlocking();
    }
}
