package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static io.gannet.cluster.Qos1.reasonOf;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
        // Room for all a load test queues while its subscriber is away: the default bound (1,000) drops the oldest.
        cluster = new ClusterProcesses(root, 3, "", "sessions:\n  max-queued-messages: 100000\n").start();
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
        cluster.closeAndCheckLeaks();
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

        // A subscription granted the moment before its node dies: its SUBACK waited for the partition's majority.
        Mqtt5BlockingClient late = client(1, "late-on-n1");
        late.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        late.subscribeWith().topicFilter("late/#").qos(MqttQos.AT_LEAST_ONCE).send();

        cluster.node(1).kill();
        cluster.node(1).start();
        try (SysWatch sys1 = SysWatch.once(cluster.node(1).mqttPort)) {
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

        // The late subscriber resumes on n2 with its session and its subscription, which a publisher on n3 reaches.
        Mqtt5BlockingClient lateBack = client(2, "late-on-n1");
        Mqtt5BlockingClient latePub = client(3, "late-publisher");
        latePub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = lateBack.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(lateBack.connectWith().cleanStart(false).sessionExpiryInterval(3600).send()
                    .isSessionPresent()).isTrue();
            // Until every node routes to n2, a node that still routes to the session's old place fails the probe.
            await().atMost(AGREED).ignoreExceptions().until(() -> reasonOf(latePub, "late/x", "probe")
                    == Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(received.receive(30, TimeUnit.SECONDS)).as("a message for the kept subscription").isPresent();
        }
        lateBack.disconnect();
        latePub.disconnect();
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
            // The subscription came along: once the cluster routes to n1, messages arrive there, in order. Until
            // n3 has heard that n1 hosts the session, it fails what reaches the session's subscription there.
            await().atMost(AGREED).ignoreExceptions().until(() ->
                    reasonOf(pub, "moves/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS
                            && received.receive(500, TimeUnit.MILLISECONDS).isPresent());
            publish(pub, "moves/b", "n", 50);
            assertReceived(received, "n", 50);
        }
        onN1.disconnect();
        pub.disconnect();
    }

    @Test
    @Order(3)
    void aNodeKilledUnderQos1LoadLosesNoAcknowledgedMessageAndItsSubscriberResumesOnAnotherNode() throws Exception {
        // A persistent subscriber on n3, receiving what a publisher on n1 sends as fast as acknowledgements allow.
        Set<String> received = ConcurrentHashMap.newKeySet();
        Mqtt5AsyncClient sub = MqttClient.builder().useMqttVersion5().identifier("survivor")
                .serverHost("127.0.0.1").serverPort(cluster.node(3).mqttPort).buildAsync();
        sub.connectWith().cleanStart(true).sessionExpiryInterval(3600).send().get(30, TimeUnit.SECONDS);
        sub.subscribeWith().topicFilter("load/#").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send().get(30, TimeUnit.SECONDS);
        Mqtt5BlockingClient pub = client(1, "load-publisher");
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "load/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS);

        Qos1.Load load = new Qos1.Load(pub, "load/m", "l");
        load.awaitMore(500, AGREED);

        cluster.node(3).kill();
        long killed = System.nanoTime();
        // The subscriber comes back on n2 and claims its session; n3's partitions elect new leaders meanwhile.
        Mqtt5AsyncClient back = MqttClient.builder().useMqttVersion5().identifier("survivor")
                .serverHost("127.0.0.1").serverPort(cluster.node(2).mqttPort).buildAsync();
        back.publishes(MqttGlobalPublishFilter.ALL,
                p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        await().atMost(AGREED).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() ->
                back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().get(10, TimeUnit.SECONDS)
                        .isSessionPresent());
        long resumedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        System.out.println("The subscriber resumed on n2 " + resumedMillis + " ms after n3 was killed");

        load.awaitMore(500, AGREED);
        load.close();
        System.out.println(load.acknowledged.size() + " messages acknowledged, " + load.failed.get() + " not");
        // Every message its publisher was acknowledged for reaches the subscriber (QoS 1: perhaps twice).
        await().atMost(AGREED).untilAsserted(() -> assertThat(load.missingFrom(received)).isEmpty());
        back.disconnect().get(10, TimeUnit.SECONDS);
        pub.disconnect();
        cluster.node(3).start(); // the cluster whole again for what follows
    }

    @Test
    @Order(4)
    void theSessionsOfAKilledNodeAreAdoptedTheyKeepReceivingAndTheirWillsArePublished() throws Exception {
        // n3 is back from the last test: wait until the cluster calls it up again.
        await().atMost(AGREED).until(() -> sys2.get("nodes/down") == 0 && sys2.get("quorum") == 1);
        Mqtt5BlockingClient watcher = client(1, "will-watcher");
        watcher.connect();
        Mqtt5BlockingClient.Mqtt5Publishes wills = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();

        Mqtt5BlockingClient orphan = client(3, "orphan");
        orphan.connectWith().cleanStart(true).sessionExpiryInterval(3600)
                .willPublish().topic("wills/orphan").qos(MqttQos.AT_LEAST_ONCE)
                .payload("orphan's will".getBytes(StandardCharsets.UTF_8)).delayInterval(1).applyWillPublish()
                .send();
        orphan.subscribeWith().topicFilter("adopt/#").qos(MqttQos.AT_LEAST_ONCE).send();
        // A clean session's will is kept in its partition too, and goes out from the survivor that adopts it. Both
        // clean clients are in the orphan's partition: once a message for the orphan is acknowledged below, what n3
        // sent that partition before it (their creation, and the end of the one that left) is committed too.
        Mqtt5BlockingClient clean = client(3, inPartitionOf("orphan", "clean-orphan-"));
        clean.connectWith().cleanStart(true).sessionExpiryInterval(0)
                .willPublish().topic("wills/clean-orphan").qos(MqttQos.AT_LEAST_ONCE)
                .payload("clean orphan's will".getBytes(StandardCharsets.UTF_8)).applyWillPublish()
                .send();
        // And one that left with a DISCONNECT has no will left to publish.
        Mqtt5BlockingClient gone = client(3, inPartitionOf("orphan", "clean-gone-"));
        gone.connectWith().cleanStart(true).sessionExpiryInterval(0)
                .willPublish().topic("wills/clean-gone").qos(MqttQos.AT_LEAST_ONCE)
                .payload("no will".getBytes(StandardCharsets.UTF_8)).applyWillPublish()
                .send();
        gone.disconnect();
        Mqtt5BlockingClient pub = client(1, "adopt-publisher");
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "adopt/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS);

        cluster.node(3).kill();
        // Every message is sent until it is acknowledged: while n3 is only silent its messages fail, and once it
        // is found down its sessions are adopted by the leaders of their partitions, which take them.
        for (int i = 0; i < 200; i++) {
            String payload = "a" + i;
            await().atMost(AGREED).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                    .until(() -> reasonOf(pub, "adopt/x", payload) == Mqtt5PubAckReasonCode.SUCCESS);
        }
        // The wills go out from the nodes that adopted the sessions: the orphan's once its delay has passed.
        Set<String> published = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            Optional<Mqtt5Publish> will = wills.receive(30, TimeUnit.SECONDS);
            assertThat(will).as("will %d of 2", i + 1).isPresent();
            published.add(new String(will.get().getPayloadAsBytes(), StandardCharsets.UTF_8));
        }
        assertThat(published).containsExactlyInAnyOrder("orphan's will", "clean orphan's will");
        assertThat(wills.receive(2, TimeUnit.SECONDS)).as("a will of a client that disconnected").isEmpty();

        // The client comes back on n1 and finds every message kept for it, in order.
        Mqtt5BlockingClient back = client(1, "orphan");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = back.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                    .isTrue();
            assertReceivedAtLeastOnce(received, "a", 200);
        }
        back.disconnect();
        pub.disconnect();
        wills.close();
        watcher.disconnect();
        cluster.node(3).start();
    }

    @Test
    @Order(5)
    void anOfflineSessionOfARestartingNodeMissesNoMessageAcknowledgedWhileTheNodeRebuildsIt() throws Exception {
        await().atMost(AGREED).until(() -> sys2.get("nodes/down") == 0 && sys2.get("quorum") == 1);
        Mqtt5BlockingClient sub = client(3, "restart-sub");
        sub.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        sub.subscribeWith().topicFilter("restart/#").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();
        Mqtt5BlockingClient pub = client(1, "restart-publisher");
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "restart/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS);

        // Published throughout n3's restart: while it is away, while it rebuilds the session, and after.
        Qos1.Load load = new Qos1.Load(pub, "restart/m", "q");
        load.awaitMore(50, AGREED);
        cluster.node(3).stop();
        cluster.node(3).start();
        try (SysWatch sys1 = SysWatch.once(cluster.node(3).mqttPort)) {
            await().atMost(AGREED).until(() -> sys1.get("quorum") == 1);
        }
        load.awaitMore(100, AGREED);
        load.close();
        // Beyond sessions.max-queued-messages the oldest would be dropped (and counted): not what this is about.
        assertThat(load.acknowledged).as("messages queued for the offline session").hasSizeLessThan(100_000);

        // Its session is where n3's restart or an adoption left it; either way everything acknowledged is in it.
        Set<String> received = ConcurrentHashMap.newKeySet();
        // A node found down a moment after it restarted has its sessions adopted, and the client closed with 0x8E;
        // as a device would, the client then reconnects, and finds its session where it went.
        Mqtt5AsyncClient back = MqttClient.builder().useMqttVersion5().identifier("restart-sub")
                .serverHost("127.0.0.1").serverPort(cluster.node(3).mqttPort)
                .automaticReconnect().initialDelay(100, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS)
                .applyAutomaticReconnect().buildAsync();
        back.publishes(MqttGlobalPublishFilter.ALL,
                p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().get(30, TimeUnit.SECONDS)
                .isSessionPresent()).isTrue();
        await().atMost(AGREED).untilAsserted(() -> assertThat(load.missingFrom(received))
                .as("acknowledged, never received").isEmpty());
        back.disconnect().get(10, TimeUnit.SECONDS);
        pub.disconnect();
    }

    @Test
    @Order(6)
    void aSessionMovedFromNodeToNodeUnderQos1LoadMissesNoAcknowledgedMessage() throws Exception {
        await().atMost(AGREED).until(() -> sys2.get("nodes/down") == 0 && sys2.get("quorum") == 1
                && sys3.get("nodes/down") == 0);
        // A persistent subscriber on n1 makes n1 keep, and acknowledge, every message to the filter. When the moving
        // session leaves n1 for n3, which has no other subscriber, n3's route to the filter takes a commit to reach
        // the publisher's node: a message published meanwhile must not be acknowledged by n1 alone.
        Mqtt5BlockingClient anchor = client(1, "move-anchor");
        anchor.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> { }); // it keeps them; they are not counted
        anchor.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        anchor.subscribeWith().topicFilter("move/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Set<String> received = ConcurrentHashMap.newKeySet();
        Mqtt5AsyncClient mover = mover(1, received);
        mover.connectWith().cleanStart(true).sessionExpiryInterval(3600).send().get(30, TimeUnit.SECONDS);
        mover.subscribeWith().topicFilter("move/#").qos(MqttQos.AT_LEAST_ONCE).send().get(30, TimeUnit.SECONDS);
        Mqtt5BlockingClient pub = client(2, "move-publisher");
        pub.connect();
        await().atMost(AGREED).until(() -> reasonOf(pub, "move/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS
                && received.contains("probe"));

        // The client turns up on the other node while the publisher keeps sending: each move is a takeover in the
        // session's partition, and the messages published in its very moment are the ones at risk.
        Qos1.Load load = new Qos1.Load(pub, "move/m", "v");
        for (int move = 0; move < 12; move++) {
            load.awaitMore(30, AGREED);
            Mqtt5AsyncClient next = mover(move % 2 == 0 ? 3 : 1, received);
            assertThat(next.connectWith().cleanStart(false).sessionExpiryInterval(3600).send()
                    .get(30, TimeUnit.SECONDS).isSessionPresent()).as("session present after move %d", move).isTrue();
            mover = next;
        }
        load.awaitMore(30, AGREED);
        load.close();
        System.out.println("moves: " + load.acknowledged.size() + " acknowledged, " + load.failed.get() + " not");
        await().atMost(AGREED).untilAsserted(() -> assertThat(load.missingFrom(received))
                .as("acknowledged, never received by the moving session").isEmpty());
        mover.disconnect().get(10, TimeUnit.SECONDS);
        anchor.disconnectWith().sessionExpiryInterval(0).send();
        pub.disconnect();
    }

    @Test
    @Order(7)
    void aClientIdConnectedOnTwoNodesKeepsOnlyItsNewestConnection() throws Exception {
        // A clean session without a will: no partition keeps it, so only the nodes' word over their links makes the
        // client id unique [MQTT-3.1.4-3].
        CompletableFuture<Mqtt5DisconnectReasonCode> firstClosed = new CompletableFuture<>();
        Mqtt5BlockingClient first = closing(1, "twice", firstClosed);
        first.connectWith().cleanStart(true).send();
        Mqtt5BlockingClient second = client(2, "twice");
        second.connectWith().cleanStart(true).send();
        assertThat(firstClosed.get(30, TimeUnit.SECONDS)).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        assertThat(second.getState().isConnected()).isTrue();
        second.disconnect();

        // A persistent session, then a clean start of its client id on another node: the old connection is closed,
        // and the session it had is gone, here and in its partition.
        CompletableFuture<Mqtt5DisconnectReasonCode> keptClosed = new CompletableFuture<>();
        Mqtt5BlockingClient kept = closing(1, "kept-then-clean", keptClosed);
        kept.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        kept.subscribeWith().topicFilter("clean/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient clean = client(3, "kept-then-clean");
        clean.connectWith().cleanStart(true).send();
        assertThat(keptClosed.get(30, TimeUnit.SECONDS)).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        clean.disconnect();
        Mqtt5BlockingClient back = client(1, "kept-then-clean");
        assertThat(back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                .as("the session a clean start elsewhere replaced").isFalse();
        back.disconnectWith().sessionExpiryInterval(0).send();
    }

    /** A client on {@code node} whose connection's closing reason, when the broker closes it, completes {@code closed}. */
    private static Mqtt5BlockingClient closing(int node, String id, CompletableFuture<Mqtt5DisconnectReasonCode> closed) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort)
                .addDisconnectedListener(ctx -> closed.complete(ctx.getCause()
                        instanceof Mqtt5DisconnectException d ? d.getMqttMessage().getReasonCode() : null))
                .buildBlocking();
    }

    /** The moving session's client on {@code node}, adding what it receives to {@code received}. */
    private static Mqtt5AsyncClient mover(int node, Set<String> received) {
        Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier("move-sub").serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildAsync();
        c.publishes(MqttGlobalPublishFilter.ALL, p -> received.add(new String(p.getPayloadAsBytes(),
                StandardCharsets.UTF_8)));
        return c;
    }

    private static void publish(Mqtt5BlockingClient pub, String topic, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(reasonOf(pub, topic, prefix + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        }
    }

    /** The first client id {@code prefix}0, {@code prefix}1, ... in the same session partition as {@code clientId}. */
    private static String inPartitionOf(String clientId, String prefix) {
        int partition = SessionPartitions.partitionOf(clientId);
        for (int i = 0; ; i++) {
            if (SessionPartitions.partitionOf(prefix + i) == partition) {
                return prefix + i;
            }
        }
    }

    /**
     * {prefix}0 to {prefix}{count - 1} all arrive, each first time in that order; a message sent again after its
     * publisher was told of a failure may come twice (QoS 1).
     */
    private static void assertReceivedAtLeastOnce(Mqtt5BlockingClient.Mqtt5Publishes received, String prefix,
                                                  int count) throws InterruptedException {
        List<String> firsts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (firsts.size() < count) {
            Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
            if (p.isEmpty()) {
                break;
            }
            String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
            if (payload.startsWith(prefix) && seen.add(payload)) {
                firsts.add(payload);
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(prefix + i);
        }
        assertThat(firsts).as(() -> difference(firsts, expected)).containsExactlyElementsOf(expected);
    }

    /**
     * {prefix}0 to {prefix}{count - 1} arrive in that order. Other payloads are passed over: probes from an earlier
     * wait, and QoS 1 messages sent again after a takeover because their PUBACK had not reached the partition.
     */
    private static void assertReceived(Mqtt5BlockingClient.Mqtt5Publishes received, String prefix, int count)
            throws InterruptedException {
        List<String> got = new ArrayList<>();
        while (got.size() < count) {
            Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
            if (p.isEmpty()) {
                break;
            }
            String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
            if (payload.startsWith(prefix)) {
                got.add(payload);
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(prefix + i);
        }
        assertThat(got).as(() -> difference(got, expected)).containsExactlyElementsOf(expected);
    }

    /** What a failure report needs first, before the whole lists: what is missing, twice, or out of place. */
    private static String difference(List<String> got, List<String> expected) {
        Set<String> missing = new java.util.LinkedHashSet<>(expected);
        got.forEach(missing::remove);
        Set<String> seen = new HashSet<>();
        List<String> twice = got.stream().filter(m -> !seen.add(m)).toList();
        int at = 0;
        while (at < Math.min(got.size(), expected.size()) && got.get(at).equals(expected.get(at))) {
            at++;
        }
        return "got " + got.size() + " of " + expected.size() + "; missing " + missing + "; twice " + twice
                + "; first difference at " + at + ": " + (at < got.size() ? got.get(at) : "(end)");
    }
}
