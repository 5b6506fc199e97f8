package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static io.gannet.cluster.Qos1.reasonOf;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientReconnector;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart, as an orchestrator does one: each node in turn is stopped with SIGTERM and started again, and
 * waited for until the cluster is whole, while a publisher sends QoS 1 messages as fast as they are acknowledged to
 * a persistent subscriber on every node. A client whose node stops reconnects to the next node and resumes its
 * session there. Every acknowledged message reaches every subscriber, and no reconnect finds its session gone.
 * Three broker processes on loopback, Netty's leak detector at paranoid.
 */
class RollingRestartTest {
    private static final Duration AGREED = Duration.ofSeconds(60);
    private static final int NODES = 3;

    @TempDir
    static Path root;
    static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        // A subscriber whose node stops is offline until it has reconnected, while the load goes on: on a slow
        // machine more than the default 1,000 may queue for it, past which the oldest are dropped, as documented.
        cluster = new ClusterProcesses(root, NODES, "", "sessions:\n  max-queued-messages: 100000\n").start();
        awaitWhole();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.closeAndCheckLeaks();
    }

    @Test
    void aRollingRestartUnderQos1LoadLosesNoAcknowledgedMessageAndEveryClientKeepsItsSession() throws Exception {
        List<Subscriber> subscribers = new ArrayList<>();
        for (int node = 1; node <= NODES; node++) {
            subscribers.add(new Subscriber("rolling-sub-" + node, node));
        }
        Mqtt5BlockingClient pub = following("rolling-publisher", 1, ctx -> { }).buildBlocking();
        pub.connect();
        // Once every node knows of every subscriber: a probe is then acknowledged by all of them.
        await().atMost(AGREED).until(() -> reasonOf(pub, "roll/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS
                && subscribers.stream().allMatch(s -> s.received.contains("probe")));

        Qos1.Load load = new Qos1.Load(pub, "roll/m", "r");

        for (int node = 1; node <= NODES; node++) {
            load.awaitMore(300, AGREED);
            cluster.node(node).stop();
            cluster.node(node).start();
            awaitWhole();
            System.out.println("n" + node + " restarted: " + load.acknowledged.size() + " acknowledged, "
                    + load.failed.get() + " not; received " + subscribers.stream().map(s -> s.id + "=" + s.received.size()).toList());
        }
        load.awaitMore(300, AGREED);
        load.close();
        assertThat(load.acknowledged).as("messages a subscriber may have queued").hasSizeLessThan(100_000);

        for (Subscriber s : subscribers) {
            // QoS 1: every acknowledged message at least once, whichever node the subscriber ended on.
            await().atMost(AGREED).untilAsserted(() -> assertThat(load.missingFrom(s.received))
                    .as("%s's missing messages; its connects: %s", s.id, s.connects).isEmpty());
            assertThat(s.lostSessions.get()).as("%s's reconnects without its session", s.id).isZero();
            assertThat(s.reconnects.get()).as("%s's reconnects", s.id).isPositive();
            // Connected still: a client the cluster closed without cause in the end shows here.
            assertThat(s.client.getState().isConnected()).as("%s connected; its connects: %s", s.id, s.connects)
                    .isTrue();
            s.client.disconnect().get(10, TimeUnit.SECONDS);
        }
        pub.disconnect();
    }

    /** A persistent subscriber to {@code roll/#} that follows its node's successor when its node goes away. */
    private static final class Subscriber {
        final String id;
        final Set<String> received = ConcurrentHashMap.newKeySet();
        final AtomicInteger reconnects = new AtomicInteger();
        final AtomicInteger lostSessions = new AtomicInteger();
        /** Where and when it connected, to read a failure by: node, session present, messages received then. */
        final List<String> connects = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Mqtt5AsyncClient client;

        Subscriber(String id, int node) throws Exception {
            this.id = id;
            AtomicBoolean first = new AtomicBoolean(true);
            client = following(id, node, ctx -> {
                // The connection's own transport: the client's config keeps naming the node it was built for.
                int port = ctx.getClientConfig().getConnectionConfig()
                        .map(c -> c.getTransportConfig().getServerAddress().getPort()).orElse(0);
                connects.add("n" + nodeAt(port) + (ctx.getConnAck().isSessionPresent() ? "+" : "-")
                        + "@" + received.size() + " at " + Qos1.TIME.format(java.time.Instant.now()));
                if (!first.getAndSet(false)) {
                    reconnects.incrementAndGet();
                    if (!ctx.getConnAck().isSessionPresent()) {
                        lostSessions.incrementAndGet();
                    }
                }
            }).addDisconnectedListener(ctx -> connects.add("lost (" + ctx.getSource() + ": " + ctx.getCause()
                    + ") at " + Qos1.TIME.format(java.time.Instant.now()))).buildAsync();
            client.publishes(MqttGlobalPublishFilter.ALL,
                    p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            client.connectWith().cleanStart(true).sessionExpiryInterval(3600).send().get(30, TimeUnit.SECONDS);
            client.subscribeWith().topicFilter("roll/#").qos(MqttQos.AT_LEAST_ONCE).send().get(30, TimeUnit.SECONDS);
        }
    }

    private static int nodeAt(int mqttPort) {
        for (int node = 1; node <= NODES; node++) {
            if (cluster.node(node).mqttPort == mqttPort) {
                return node;
            }
        }
        return 0;
    }

    /**
     * A client that starts on {@code node} and, whenever its connection is lost, reconnects to the next node in a
     * moment (a load balancer's next pick), resuming its session there if it has one.
     */
    private static com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder following(
            String id, int node, java.util.function.Consumer<Mqtt5ClientConnectedContext> connected) {
        AtomicInteger at = new AtomicInteger(node);
        return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(cluster.node(node).mqttPort)
                .addConnectedListener(ctx -> connected.accept((Mqtt5ClientConnectedContext) ctx))
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() == MqttDisconnectSource.USER) {
                        return; // the test is done with it
                    }
                    Mqtt5ClientReconnector reconnector = ((Mqtt5ClientDisconnectedContext) ctx).getReconnector();
                    int next = at.updateAndGet(n -> n % NODES + 1);
                    reconnector.reconnect(true).delay(200, TimeUnit.MILLISECONDS).transportConfig(
                            MqttClientTransportConfig.builder().serverHost("127.0.0.1")
                                    .serverPort(cluster.node(next).mqttPort).build());
                    if (reconnector.getConnect().getSessionExpiryInterval() > 0) {
                        // Its session, not a new one: one that is gone must show, not be papered over.
                        reconnector.connectWith().cleanStart(false).sessionExpiryInterval(3600).applyConnect()
                                .resubscribeIfSessionExpired(false);
                    }
                });
    }

    /** Until every node is up, has a majority, keeps every partition with none stopped, and finds no node down. */
    private static void awaitWhole() {
        cluster.awaitEach(sys -> sys.get("quorum") == 1 && sys.get("nodes/down") == 0
                && sys.get("partitions/kept") == SessionPartitions.COUNT && sys.get("partitions/failed") == 0, AGREED);
    }
}
