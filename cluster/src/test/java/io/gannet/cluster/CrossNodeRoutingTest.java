package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
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
 * Three broker processes on loopback as one cluster: a message published on one node reaches subscribers on the
 * others, only the nodes that have one, in order; the routing table follows subscriptions as they come and go and as
 * a node restarts; retained messages are the same on every node, also on one that restarts with nothing on disk.
 * Every node runs with Netty's leak detector at paranoid.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossNodeRoutingTest {
    private static final Duration AGREED = Duration.ofSeconds(30);

    @TempDir
    static Path root;
    static ClusterProcesses cluster;
    static SysWatch sys1;
    static SysWatch sys3;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new ClusterProcesses(root, 3).start();
        sys1 = new SysWatch(cluster.node(1).mqttPort);
        sys3 = new SysWatch(cluster.node(3).mqttPort);
        // The cluster has agreed once every node's start (its routes replaced by none) has been committed.
        await().atMost(AGREED).until(() -> sys1.get("quorum") == 1 && sys3.get("quorum") == 1
                && sys1.get("changes/pending") == 0 && sys3.get("links/up") == 4);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        sys1.close();
        sys3.close();
        cluster.closeAndCheckLeaks();
    }

    private static Mqtt5BlockingClient client(int node, String id) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildBlocking();
        c.connect();
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void aMessagePublishedOnOneNodeReachesTheSubscriberOnAnotherInOrderAndNoOtherNode() throws Exception {
        Mqtt5BlockingClient sub = client(2, "sub-on-n2");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("sensors/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();
            await().atMost(AGREED).until(() -> sys1.get("routes") == 1);

            Mqtt5BlockingClient pub = client(1, "pub-on-n1");
            for (int i = 0; i < 200; i++) {
                assertThat(reasonOf(pub, "sensors/k" + (i % 3) + "/temp", "m" + i))
                        .isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
                assertThat(p).as("message %d of 200", i).isPresent();
                got.add(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                expected.add("m" + i);
            }
            assertThat(got).containsExactlyElementsOf(expected);
            pub.disconnect();
        }
        sub.disconnect();
        // n1 sent to n2 alone: n3, without a subscriber, received nothing.
        await().atMost(AGREED).until(() -> sys1.get("messages/sent") >= 200);
        assertThat(sys3.get("messages/received")).isZero();
    }

    @Test
    @Order(2)
    void aPublisherHearsNoMatchingSubscribersOnlyWhenNoNodeHasOne() {
        Mqtt5BlockingClient sub = client(3, "sub-on-n3");
        sub.subscribeWith().topicFilter("alarms/#").qos(MqttQos.AT_LEAST_ONCE).send();
        await().atMost(AGREED).until(() -> sys1.get("routes") == 1);
        Mqtt5BlockingClient pub = client(1, "pub2-on-n1");
        assertThat(reasonOf(pub, "alarms/fire")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        assertThat(reasonOf(pub, "nobody/listens")).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);

        // The last subscriber on n3 leaves: the cluster forgets n3's filter, and n1 stops sending there.
        sub.unsubscribeWith().topicFilter("alarms/#").send();
        await().atMost(AGREED).until(() -> sys1.get("routes") == 0);
        assertThat(reasonOf(pub, "alarms/fire")).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        pub.disconnect();
        sub.disconnect();
    }

    @Test
    @Order(3)
    void aNodeKilledAndRestartedDropsTheRoutesOfItsLostSubscribersAndServesNewOnes() throws Exception {
        Mqtt5BlockingClient gone = client(2, "sub-that-dies-with-n2");
        gone.subscribeWith().topicFilter("doors/#").qos(MqttQos.AT_LEAST_ONCE).send();
        await().atMost(AGREED).until(() -> sys1.get("routes") == 1);

        cluster.node(2).kill();
        cluster.node(2).start();
        // Its clean sessions died with it; on its return it tells the cluster it has no subscriber left.
        await().atMost(AGREED).until(() -> sys1.get("routes") == 0);

        Mqtt5BlockingClient sub = client(2, "sub-after-restart");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("doors/+").qos(MqttQos.AT_LEAST_ONCE).send();
            await().atMost(AGREED).until(() -> sys1.get("routes") == 1 && sys3.get("routes") == 1);
            // The links of n3 to the restarted n2 come back on their own.
            await().atMost(AGREED).until(() -> sys3.get("links/up") == 4);
            Mqtt5BlockingClient pub = client(3, "pub-on-n3");
            pub.publishWith().topic("doors/front").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("open")).send();
            Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
            assertThat(p).isPresent();
            assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("open");
            pub.disconnect();
        }
        sub.disconnect();
    }

    @Test
    @Order(4)
    void retainedMessagesAreTheSameOnEveryNodeAndSurviveARestartOfOne() throws Exception {
        Mqtt5BlockingClient pub1 = client(1, "retainer-on-n1");
        pub1.publishWith().topic("config/d7").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(bytes("v1")).send();
        await().atMost(AGREED).until(() -> sys3.get("retained") == 1);
        await().atMost(AGREED).untilAsserted(() -> assertThat(retainedOn(3, "config/#")).isEqualTo("v1"));

        // Set again on another node: every node ends with the later one.
        Mqtt5BlockingClient pub2 = client(2, "retainer-on-n2");
        pub2.publishWith().topic("config/d7").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(bytes("v2")).send();
        await().atMost(AGREED).untilAsserted(() -> assertThat(retainedOn(1, "config/d7")).isEqualTo("v2"));
        await().atMost(AGREED).untilAsserted(() -> assertThat(retainedOn(3, "config/+")).isEqualTo("v2"));

        // n3 comes back from kill -9 with nothing of its own on disk: the cluster's log gives it the message.
        cluster.node(3).kill();
        cluster.node(3).start();
        await().atMost(AGREED).untilAsserted(() -> assertThat(retainedOn(3, "config/d7")).isEqualTo("v2"));

        // Cleared on n1: gone everywhere, n3 included.
        pub1.publishWith().topic("config/d7").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(new byte[0]).send();
        await().atMost(AGREED).until(() -> sys1.get("retained") == 0);
        await().atMost(AGREED).untilAsserted(() -> assertThat(retainedOn(3, "config/d7")).isNull());
        pub1.disconnect();
        pub2.disconnect();
    }

    @Test
    @Order(5)
    void aSharedGroupWithMembersOnTwoNodesGetsEachMessageOnceTakingTurns() throws Exception {
        String group = "$share/workers/jobs/+";
        Mqtt5BlockingClient onN2 = client(2, "worker-on-n2");
        Mqtt5BlockingClient onN3 = client(3, "worker-on-n3");
        // n3 restarted in an earlier scenario, and sys3 with it: a watch of its own.
        try (SysWatch n3Sys = new SysWatch(cluster.node(3).mqttPort);
             Mqtt5BlockingClient.Mqtt5Publishes got2 = onN2.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes got3 = onN3.publishes(MqttGlobalPublishFilter.ALL)) {
            onN2.subscribeWith().topicFilter(group).qos(MqttQos.AT_LEAST_ONCE).send();
            onN3.subscribeWith().topicFilter(group).qos(MqttQos.AT_LEAST_ONCE).send();
            await().atMost(AGREED).until(() -> sys1.get("routes/shared") == 2 && n3Sys.get("routes/shared") == 2);

            // From a third node: every message to one of the two nodes, in turn.
            Mqtt5BlockingClient pub = client(1, "jobs-pub-on-n1");
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                sent.add("j" + i);
                assertThat(reasonOf(pub, "jobs/" + (i % 4), "j" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            List<String> n2 = drain(got2);
            List<String> n3 = drain(got3);
            assertThat(concat(n2, n3)).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(n2).hasSize(50);
            assertThat(n3).hasSize(50);

            // From a node with a member of its own: that member takes its turn like the other node's.
            Mqtt5BlockingClient pubOnN3 = client(3, "jobs-pub-on-n3");
            for (int i = 0; i < 40; i++) {
                reasonOf(pubOnN3, "jobs/x", "k" + i);
            }
            n2 = drain(got2);
            n3 = drain(got3);
            assertThat(n2).hasSize(20);
            assertThat(n3).hasSize(20);
            pubOnN3.disconnect();

            // The member on n3 leaves: its node no longer gets a turn, the one on n2 takes every message.
            onN3.unsubscribeWith().topicFilter(group).send();
            await().atMost(AGREED).until(() -> sys1.get("routes/shared") == 1);
            for (int i = 0; i < 20; i++) {
                assertThat(reasonOf(pub, "jobs/y", "y" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            }
            assertThat(drain(got2)).hasSize(20);
            assertThat(got3.receive(200, TimeUnit.MILLISECONDS)).isEmpty();

            // The last member leaves: nobody subscribes any more, and the publisher hears so.
            onN2.unsubscribeWith().topicFilter(group).send();
            await().atMost(AGREED).until(() -> sys1.get("routes/shared") == 0);
            assertThat(reasonOf(pub, "jobs/z")).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
            pub.disconnect();
        }
        onN2.disconnect();
        onN3.disconnect();
    }

    /** What a client has received until nothing more comes for a second. */
    private static List<String> drain(Mqtt5BlockingClient.Mqtt5Publishes received) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (Optional<Mqtt5Publish> p; (p = received.receive(1, TimeUnit.SECONDS)).isPresent(); ) {
            got.add(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8));
        }
        return got;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    @Order(6)
    void aNodePausedWithSigstopHoldsUpNoOtherNodeAndServesAgainOnceResumed() throws Exception {
        Mqtt5BlockingClient onN2 = client(2, "pause-sub-on-n2");
        Mqtt5BlockingClient onN3 = client(3, "pause-sub-on-n3");
        Mqtt5BlockingClient pub = client(1, "pause-pub-on-n1");
        try (Mqtt5BlockingClient.Mqtt5Publishes got2 = onN2.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes got3 = onN3.publishes(MqttGlobalPublishFilter.ALL)) {
            onN2.subscribeWith().topicFilter("pause/#").qos(MqttQos.AT_LEAST_ONCE).send();
            onN3.subscribeWith().topicFilter("pause/#").qos(MqttQos.AT_LEAST_ONCE).send();
            awaitDelivery(pub, "pause/probe", got2);
            awaitDelivery(pub, "pause/probe", got3);

            cluster.node(2).pause();
            try {
                // n1's publisher and n3's subscriber go on as before: nothing waits for the frozen node.
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    sent.add("p" + i);
                    assertThat(reasonOf(pub, "pause/m", "p" + i)).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
                }
                List<String> n3 = new ArrayList<>();
                while (n3.size() < sent.size()) {
                    Optional<Mqtt5Publish> p = got3.receive(10, TimeUnit.SECONDS);
                    assertThat(p).as("message %d of %d on n3", n3.size(), sent.size()).isPresent();
                    String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
                    if (!payload.equals("probe")) {
                        n3.add(payload);
                    }
                }
                assertThat(n3).containsExactlyElementsOf(sent);
                // Two of three still make a majority.
                assertThat(sys1.get("quorum")).isEqualTo(1);
            } finally {
                cluster.node(2).resume();
            }
            // Resumed, n2 takes messages again, and its subscriber gets them.
            awaitDelivery(pub, "pause/after", got2);
        } finally {
            pub.disconnect();
            onN2.disconnect();
            onN3.disconnect();
        }
    }

    /** Publishes on {@code topic} until {@code received} gets a message on it: routes take a commit to spread. */
    private static void awaitDelivery(Mqtt5BlockingClient pub, String topic,
                                      Mqtt5BlockingClient.Mqtt5Publishes received) {
        await().atMost(AGREED).untilAsserted(() -> {
            pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("probe")).send();
            Optional<Mqtt5Publish> p;
            do {
                p = received.receive(500, TimeUnit.MILLISECONDS);
            } while (p.isPresent() && !p.get().getTopic().toString().equals(topic));
            assertThat(p).as("a message on %s", topic).isPresent();
        });
    }

    @Test
    @Order(7)
    void aNodeCutOffFromTheMajorityKeepsServingItsOwnClientsAndSaysSo() throws Exception {
        cluster.node(2).kill();
        cluster.node(3).kill();
        await().atMost(AGREED).until(() -> sys1.get("quorum") == 0);
        await().atMost(AGREED).until(() -> cluster.node(1).allOutput().contains("cannot reach a majority"));

        // Its own clients still talk to each other.
        Mqtt5BlockingClient sub = client(1, "alone-sub");
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("local/only").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = client(1, "alone-pub");
            pub.publishWith().topic("local/only").qos(MqttQos.AT_LEAST_ONCE).payload(bytes("still here")).send();
            Optional<Mqtt5Publish> p = received.receive(10, TimeUnit.SECONDS);
            assertThat(p).isPresent();
            assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("still here");
            pub.disconnect();
        }
        sub.disconnect();

        // One node back makes two of three: a majority again, and the change made meanwhile reaches the log.
        cluster.node(2).start();
        await().atMost(AGREED).until(() -> sys1.get("quorum") == 1 && sys1.get("changes/pending") == 0);
        await().atMost(AGREED).until(() -> cluster.node(1).allOutput().contains("part of a majority again"));
    }

    /**
     * The retained message a new subscriber to {@code filter} on the node gets, or null: a marker published right
     * after the SUBACK arrives after any retained message, so that "none" needs no waiting for nothing.
     */
    private static String retainedOn(int node, String filter) throws Exception {
        Mqtt5BlockingClient sub = client(node, "retained-reader-" + System.nanoTime());
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            String marker = "marker/" + sub.getConfig().getClientIdentifier().orElseThrow();
            sub.subscribeWith().addSubscription().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter(marker).qos(MqttQos.AT_LEAST_ONCE).applySubscription().send();
            sub.publishWith().topic(marker).qos(MqttQos.AT_LEAST_ONCE).payload(bytes("marker")).send();
            Mqtt5Publish first = received.receive(10, TimeUnit.SECONDS).orElseThrow();
            if (first.getTopic().toString().startsWith("marker/")) {
                return null;
            }
            assertThat(first.isRetain()).isTrue();
            return new String(first.getPayloadAsBytes(), StandardCharsets.UTF_8);
        } finally {
            sub.disconnect();
        }
    }

    private static Mqtt5PubAckReasonCode reasonOf(Mqtt5BlockingClient pub, String topic) {
        return reasonOf(pub, topic, "x");
    }

    private static Mqtt5PubAckReasonCode reasonOf(Mqtt5BlockingClient pub, String topic, String payload) {
        Mqtt5PublishResult result = pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(bytes(payload))
                .send();
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
    }
}
