package io.gannet.cluster;

import static io.gannet.cluster.Qos1.firstArrivals;
import static io.gannet.cluster.Qos1.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fourth node added to a running three-node cluster with {@code bin/gannet cluster add}, as an operator does it:
 * the new node is started with its own entry marked {@code joined: true} and waits; the command, run with a founding
 * member's configuration (which does not list the new node), adds it. Then messages route to and from it, a
 * founding node restarts with it in its list, the session partitions move so that it keeps its share of copies
 * (ADR 16, step 3), a persistent session whose partition it keeps survives its {@code kill -9}, it restarts as a
 * member, a founding node is removed under a QoS 1 load with nothing acknowledged lost while its copies move to the
 * added node, and the added node is removed with {@code bin/gannet cluster remove} while it runs (it stops itself)
 * with its sessions kept. Real processes on loopback, Netty's leak detector at paranoid.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeAddedAtRunTimeTest {
    private static final Duration AGREED = Duration.ofSeconds(60);

    @TempDir
    static Path root;
    static ClusterProcesses cluster;
    static ClusterProcesses.Node added;

    @BeforeAll
    static void startAndAdd() throws Exception {
        // The load of the removal test queues for an offline session for as long as the partitions take to move:
        // on a slow machine more than the default 1,000, past which the oldest are dropped, as documented.
        cluster = new ClusterProcesses(root, 3, "", "sessions:\n  max-queued-messages: 100000\n").start();
        cluster.awaitEach(sys -> sys.get("quorum") == 1 && sys.get("partitions/kept") > 0, AGREED);
        added = cluster.joiningNode();
        ClusterProcesses.Node member = cluster.node(1);
        // Added before it runs: the command fails, and the cluster is as it was (the add below succeeds).
        Map.Entry<Integer, String> early = cluster.command(member, "add", added.id, "127.0.0.1",
                Integer.toString(added.linkPort), Integer.toString(added.raftPort));
        assertThat(early.getKey()).as("bin/gannet cluster add said:%n%s", early.getValue()).isEqualTo(1);
        assertThat(early.getValue())
                .contains("adding n4 to the Raft group: nothing answers on 127.0.0.1:" + added.raftPort);
        added.start();
        // An operator may stop a node that waits to be added, as any other (it ignored SIGTERM until it was added).
        added.stop();
        assertThat(added.awaitExit(AGREED)).isZero();
        added.start("waits to be added to the cluster");

        Map.Entry<Integer, String> run = cluster.command(member, "add", added.id, "127.0.0.1",
                Integer.toString(added.linkPort), Integer.toString(added.raftPort));
        assertThat(run.getKey()).as("bin/gannet cluster add said:%n%s", run.getValue()).isZero();
        assertThat(run.getValue()).contains("Node n4 is a member of the cluster")
                .containsPattern("[1-8] of 8 session partitions move to take in n4 now")
                .contains("- {id: n4, host: 127.0.0.1, port: " + added.linkPort + ", raft-port: " + added.raftPort
                        + ", joined: true}");
        // Its listeners open once it has applied its own join.
        await().atMost(AGREED).ignoreExceptions().until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", added.mqttPort), 1000);
                return true;
            }
        });
        cluster.awaitEach(sys -> sys.get("nodes") == 4 && sys.get("quorum") == 1, AGREED);

        Map.Entry<Integer, String> status = cluster.command(member, "status");
        assertThat(status.getKey()).as(status.getValue()).isZero();
        assertThat(status.getValue()).contains("  4 n4 127.0.0.1 " + added.linkPort + " " + added.raftPort)
                .containsPattern("voters \\[n1, n2, n3, n4\\]").contains(": last heard");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.closeAndCheckLeaks();
    }

    @Test
    @Order(1)
    void theAddedNodeRoutesBothWays() throws Exception {
        Mqtt5BlockingClient onAdded = client(added.mqttPort, "sub-on-n4");
        onAdded.connect();
        Mqtt5BlockingClient onN2 = client(cluster.node(2).mqttPort, "sub-on-n2");
        onN2.connect();
        Mqtt5BlockingClient pubN1 = client(cluster.node(1).mqttPort, "pub-on-n1");
        pubN1.connect();
        Mqtt5BlockingClient pubAdded = client(added.mqttPort, "pub-on-n4");
        pubAdded.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes atAdded = onAdded.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes atN2 = onN2.publishes(MqttGlobalPublishFilter.ALL)) {
            onAdded.subscribeWith().topicFilter("to-n4/#").qos(MqttQos.AT_LEAST_ONCE).send();
            onN2.subscribeWith().topicFilter("from-n4/#").qos(MqttQos.AT_LEAST_ONCE).send();
            // A PUBACK without 0x10 says the publisher's node routes to the subscriber's: then each arrives.
            await().atMost(AGREED).until(() -> reasonOf(pubN1, "to-n4/x", "probe") == Mqtt5PubAckReasonCode.SUCCESS);
            await().atMost(AGREED).until(() -> reasonOf(pubAdded, "from-n4/x", "probe")
                    == Mqtt5PubAckReasonCode.SUCCESS);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add("m" + i);
                assertThat(reasonOf(pubN1, "to-n4/x", "m" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                assertThat(reasonOf(pubAdded, "from-n4/x", "m" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            assertThat(firstArrivals(atAdded, "m", sent.size())).containsExactlyElementsOf(sent);
            assertThat(firstArrivals(atN2, "m", sent.size())).containsExactlyElementsOf(sent);
        }
        for (Mqtt5BlockingClient c : List.of(onAdded, onN2, pubN1, pubAdded)) {
            c.disconnect();
        }
    }

    /**
     * The operator's last step of an add: the new node goes into every node's {@code cluster.nodes}, marked joined.
     * A founding node restarted with that list links to the added node from its start, at the place the log gave it.
     */
    @Test
    @Order(2)
    void aFoundingNodeRestartsWithTheAddedNodeInItsList() throws Exception {
        ClusterProcesses.Node n1 = cluster.node(1);
        cluster.rewriteConfig(n1);
        assertThat(Files.readString(n1.home.resolve("gannet.yaml"))).contains("id: n4").contains("joined: true");
        n1.stop();
        n1.start();
        cluster.awaitEach(sys -> sys.get("nodes") == 4 && sys.get("quorum") == 1, AGREED);
        assertThat(n1.allOutput()).doesNotContain("list the joined nodes in the order they joined");

        assertOneMessageCrosses(n1.mqttPort, added.mqttPort, "listed", "t1");
    }

    /**
     * With four members and three copies of each partition, the partitions the rendezvous placement now gives the
     * added node move to it: it gets a copy of each, and one founding node gives its own up.
     */
    @Test
    @Order(3)
    void theSessionPartitionsFollowTheMembers() {
        awaitPlacedOver(List.of("n1", "n2", "n3", "n4"));
        assertThat(keptOver(List.of("n1", "n2", "n3", "n4")).get("n4")).as("the added node's share").isPositive();
    }

    @Test
    @Order(4) // kills the added node
    void aPersistentSessionOfTheAddedNodeSurvivesItsKill() throws Exception {
        Mqtt5BlockingClient pub = client(cluster.node(2).mqttPort, "kept-publisher");
        pub.connect();
        // A session whose partition the added node keeps a copy of: the kill takes one of its three copies.
        String keeper = clientIdKeptBy("n4", "keeper-on-n4-", List.of("n1", "n2", "n3", "n4"));
        persistentOnAdded(keeper, "kept/#", pub).disconnect();
        // Offline now: what the publisher has a PUBACK for is on a majority of the session's partition.
        List<String> sent = acknowledged(pub, "kept/x", "k", 30);
        added.kill();

        // The client comes back on a founding node: its session, and every acknowledged message, are there.
        resumesWithEvery(cluster.node(3).mqttPort, keeper, "k", sent);
        pub.disconnect();
    }

    @Test
    @Order(5) // after the kill
    void theAddedNodeRestartsAsAMember() throws Exception {
        added.start(); // its storage holds the log that made it a member: it does not wait to be added again
        cluster.awaitEach(sys -> sys.get("nodes") == 4 && sys.get("quorum") == 1, AGREED);
        assertOneMessageCrosses(cluster.node(1).mqttPort, added.mqttPort, "again", "r1");
        awaitPlacedOver(List.of("n1", "n2", "n3", "n4"));
    }

    /**
     * A founding node removed while it runs, under a QoS 1 load whose persistent subscriber is offline: its
     * partitions' copies move to the nodes left (three members now, so every node keeps every partition), it stops
     * itself, and the subscriber resumes on the added node with every message its publisher had a PUBACK for.
     */
    @Test
    @Order(6)
    void aFoundingNodeIsRemovedUnderLoadAndItsCopiesMove() throws Exception {
        ClusterProcesses.Node n2 = cluster.node(2);
        Mqtt5BlockingClient pub = client(cluster.node(1).mqttPort, "moving-publisher");
        pub.connect();
        String watcher = clientIdKeptBy("n2", "watcher-", List.of("n1", "n2", "n3", "n4"));
        Mqtt5BlockingClient offline = client(cluster.node(3).mqttPort, watcher);
        offline.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        offline.subscribeWith().topicFilter("moving/#").qos(MqttQos.AT_LEAST_ONCE).send();
        await().atMost(AGREED).until(() -> reasonOf(pub, "moving/probe", "probe") == Mqtt5PubAckReasonCode.SUCCESS);
        offline.disconnect();
        Mqtt5BlockingClient leaverPub = client(cluster.node(3).mqttPort, "leaving2-publisher");
        leaverPub.connect();
        Mqtt5BlockingClient onN2 = client(n2.mqttPort, "leaver-on-n2");
        onN2.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        onN2.subscribeWith().topicFilter("leaving2/#").qos(MqttQos.AT_LEAST_ONCE).send();
        await().atMost(AGREED).until(() -> reasonOf(leaverPub, "leaving2/probe", "probe")
                == Mqtt5PubAckReasonCode.SUCCESS);

        Set<String> acknowledged;
        Qos1.Load load = new Qos1.Load(pub, "moving/x", "w");
        try (load) {
            load.awaitMore(50, AGREED);
            Map.Entry<Integer, String> removed = cluster.command(cluster.node(1), "remove", n2.id);
            assertThat(removed.getKey()).as(removed.getValue()).isZero();
            assertThat(removed.getValue()).contains("Node n2 left the cluster")
                    .contains("Node n2 is out of the cluster's Raft group")
                    .contains("Every session partition is kept where it belongs among the nodes left: n2 keeps no "
                            + "copy of any")
                    .contains("Keep its entry in cluster.nodes");
            assertThat(n2.awaitExit(AGREED)).isZero();
            assertThat(n2.allOutput()).contains("Cluster node n2 was removed from the cluster");
            awaitPlacedOver(List.of("n1", "n3", "n4"));
            load.awaitMore(50, AGREED);
            acknowledged = load.acknowledged;
        }
        List<String> inOrder = acknowledged.stream().sorted(Comparator.comparingInt(m -> Integer.parseInt(
                m.substring(1)))).toList();
        Mqtt5BlockingClient back = client(added.mqttPort, watcher);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = back.publishes(MqttGlobalPublishFilter.ALL)) {
            await().atMost(AGREED).ignoreExceptions().until(() ->
                    back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent());
            assertThat(acknowledged).as("messages queued for the offline session").hasSizeLessThan(100_000);
            List<String> arrived = firstArrivalsOf(received, "w", acknowledged);
            assertThat(load.missingFrom(Set.copyOf(arrived))).as("of %d acknowledged, missing", acknowledged.size())
                    .isEmpty();
            assertThat(arrived.stream().filter(acknowledged::contains).toList()).isEqualTo(inOrder);
        }
        back.disconnect();

        // The session hosted on n2 was adopted: what is acknowledged for it now is kept, and it resumes elsewhere.
        List<String> sent = acknowledged(leaverPub, "leaving2/x", "m", 10);
        resumesWithEvery(added.mqttPort, "leaver-on-n2", "m", sent);
        pub.disconnect();
        leaverPub.disconnect();
    }

    @Test
    @Order(7) // the added node leaves
    void theAddedNodeIsRemovedWhileItRunsAndItsSessionsStay() throws Exception {
        Mqtt5BlockingClient pub = client(cluster.node(1).mqttPort, "leaving-publisher");
        pub.connect();
        persistentOnAdded("leaver-on-n4", "leaving/#", pub);

        Map.Entry<Integer, String> removed = cluster.command(added, "remove", added.id);
        assertThat(removed.getKey()).as(removed.getValue()).isZero();
        assertThat(removed.getValue()).contains("Node n4 left the cluster").contains("it stops as it applies its leave")
                .contains("Node n4 is out of the cluster's Raft group")
                .contains("Every session partition is kept where it belongs among the nodes left");
        // It stopped itself, as SIGTERM stops it: exit status 0, its clients told and closed.
        assertThat(added.awaitExit(AGREED)).isZero();
        assertThat(added.allOutput()).contains("Cluster node n4 was removed from the cluster");
        cluster.awaitEachRunning(sys -> sys.get("nodes") == 2 && sys.get("quorum") == 1 && sys.get("nodes/down") == 0,
                AGREED);
        Map.Entry<Integer, String> status = cluster.command(cluster.node(1), "status");
        assertThat(status.getKey()).as(status.getValue()).isZero();
        assertThat(status.getValue()).doesNotContain(" n4 ").containsPattern("voters \\[n1, n3\\]")
                .contains("Session partitions (number: the nodes that keep it); none moving:");
        // Two members left, fewer than the factor of three: each keeps a copy of every partition.
        awaitPlacedOver(List.of("n1", "n3"));

        // Its session was adopted: what is acknowledged for it now is kept, and its client resumes elsewhere.
        List<String> sent = acknowledged(pub, "leaving/x", "l", 10);
        resumesWithEvery(cluster.node(3).mqttPort, "leaver-on-n4", "l", sent);
        pub.disconnect();
    }

    /**
     * Until every running node sees no partition moving, and the running nodes keep, between them, the copies the
     * placement over {@code members} gives each of them.
     */
    private static void awaitPlacedOver(List<String> members) {
        Map<String, Integer> expected = keptOver(members);
        for (ClusterProcesses.Node n : cluster.nodes()) {
            if (n.isAlive()) {
                try (SysWatch sys = SysWatch.once(n.mqttPort)) {
                    await().atMost(AGREED).until(() -> sys.get("partitions/moving") == 0
                            && sys.get("partitions/kept") == expected.getOrDefault(n.id, 0)
                            && sys.get("partitions/failed") == 0);
                }
            }
        }
    }

    /** How many partitions the placement over {@code members} gives each of them. */
    private static Map<String, Integer> keptOver(List<String> members) {
        SessionPartitions placement = placement();
        Map<String, Integer> kept = new java.util.HashMap<>();
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            placement.target(p, members).forEach(n -> kept.merge(n, 1, Integer::sum));
        }
        return kept;
    }

    /** A client id, {@code prefix} and a number, whose partition the placement over {@code members} puts on {@code node}. */
    private static String clientIdKeptBy(String node, String prefix, List<String> members) {
        SessionPartitions placement = placement();
        for (int i = 0; ; i++) {
            String id = prefix + i;
            if (placement.target(SessionPartitions.partitionOf(id), members).contains(node)) {
                return id;
            }
        }
    }

    private static SessionPartitions placement() {
        return new SessionPartitions(java.util.stream.IntStream.rangeClosed(1, 3)
                .mapToObj(i -> new io.gannet.broker.config.ClusterConfig.Node("n" + i, "127.0.0.1", 1, 1)).toList(), 3);
    }

    /** The first arrival of each payload of {@code prefix}, until every one of {@code expected} came or a quiet 10 s. */
    private static List<String> firstArrivalsOf(Mqtt5BlockingClient.Mqtt5Publishes received, String prefix,
                                                Set<String> expected) throws InterruptedException {
        List<String> firsts = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        while (!seen.containsAll(expected)) {
            java.util.Optional<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> p =
                    received.receive(10, java.util.concurrent.TimeUnit.SECONDS);
            if (p.isEmpty()) {
                break;
            }
            String payload = new String(p.get().getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (payload.startsWith(prefix) && seen.add(payload)) {
                firsts.add(payload);
            }
        }
        return firsts;
    }

    /**
     * A subscriber on {@code toPort}'s node to {@code root/#} gets {@code payload} published on {@code fromPort}'s
     * node, once a probe says the publisher's node routes there.
     */
    private static void assertOneMessageCrosses(int fromPort, int toPort, String root, String payload)
            throws InterruptedException {
        Mqtt5BlockingClient sub = client(toPort, "sub-" + root);
        sub.connect();
        Mqtt5BlockingClient pub = client(fromPort, "pub-" + root);
        pub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter(root + "/#").qos(MqttQos.AT_LEAST_ONCE).send();
            await().atMost(AGREED).until(() -> reasonOf(pub, root + "/x", "probe") == Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(reasonOf(pub, root + "/x", payload)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(firstArrivals(received, payload, 1)).containsExactly(payload);
        }
        sub.disconnect();
        pub.disconnect();
    }

    /** A persistent session on the added node subscribed to {@code filter}, with a publisher's route to it. */
    private static Mqtt5BlockingClient persistentOnAdded(String clientId, String filter, Mqtt5BlockingClient pub) {
        Mqtt5BlockingClient c = client(added.mqttPort, clientId);
        c.connectWith().cleanStart(true).sessionExpiryInterval(3600).send();
        c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        String probeTopic = filter.replace("#", "probe");
        await().atMost(AGREED).until(() -> reasonOf(pub, probeTopic, "probe") == Mqtt5PubAckReasonCode.SUCCESS);
        return c;
    }

    /** {@code count} messages, each sent until acknowledged; their payloads in order. */
    private static List<String> acknowledged(Mqtt5BlockingClient pub, String topic, String prefix, int count) {
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String payload = prefix + i;
            await().atMost(AGREED).until(() -> reasonOf(pub, topic, payload) == Mqtt5PubAckReasonCode.SUCCESS);
            sent.add(payload);
        }
        return sent;
    }

    /** The client resumes its session on {@code port} and gets every message of {@code sent}, in order. */
    private static void resumesWithEvery(int port, String clientId, String prefix, List<String> sent)
            throws InterruptedException {
        Mqtt5BlockingClient back = client(port, clientId);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = back.publishes(MqttGlobalPublishFilter.ALL)) {
            await().atMost(AGREED).ignoreExceptions().until(() ->
                    back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent());
            assertThat(firstArrivals(received, prefix, sent.size())).containsExactlyElementsOf(sent);
        }
        back.disconnect();
    }

    private static Mqtt5BlockingClient client(int port, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }
}
