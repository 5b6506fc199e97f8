package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.metrics.BrokerMetrics.Refusal;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.v5.V5;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits of the broker as a whole, at and past each: sessions ({@code sessions.max-sessions}), retained
 * messages by count and bytes ({@code mqtt.max-retained-messages}, {@code mqtt.max-retained-bytes}), and the memory
 * of every session queue together ({@code sessions.max-queued-bytes-total}); and queue bytes counted as sent, topic
 * and properties included ({@code sessions.max-queued-bytes}).
 */
class GlobalLimitsTest {
    private EmbeddedBroker broker;
    private final List<RawClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
        broker.close();
    }

    private RawClient v5(String id, boolean cleanStart, long expiry) throws Exception {
        RawClient c = new RawClient(broker.port());
        clients.add(c);
        c.send(V5.connect(id, cleanStart, expiry));
        assertThat(c.readUntil(PacketType.CONNACK).byteAt(1)).as(id).isZero();
        return c;
    }

    /** Until the sessions are offline: messages for them are queued from then on, not written to a closed socket. */
    private void awaitOffline(String... ids) {
        await().atMost(Duration.ofSeconds(10)).until(() -> java.util.Arrays.stream(ids)
                .allMatch(id -> broker.broker().sessions().get(id) != null
                        && !broker.broker().sessions().get(id).isOnline()));
    }

    private static int connAck(RawClient c, byte[] connect) throws Exception {
        c.send(connect);
        return c.readUntil(PacketType.CONNACK).byteAt(1);
    }

    private static PubAck publish(RawClient pub, String topic, boolean retain, int packetId, String payload)
            throws Exception {
        pub.send(V5.publish(topic, 1, retain, packetId, MqttProperties.EMPTY, payload));
        return (PubAck) pub.readUntil(PacketType.PUBACK).decode(MqttVersion.V5);
    }

    @Test
    void noMoreSessionsThanTheLimitButAResumingClientIsNotOneMore() throws Exception {
        broker = EmbeddedBroker.start(Map.of("sessions.max-sessions", 2));
        v5("one", false, 600).close(); // a persistent session, kept offline
        v5("two", true, 0);
        try (RawClient three = new RawClient(broker.port()); RawClient old = new RawClient(broker.port());
             RawClient back = new RawClient(broker.port())) {
            assertThat(connAck(three, V5.connect("three", true, 0))).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            assertThat(connAck(old, MalformedCorpus.connect(MqttVersion.V3_1_1, "three")))
                    .isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
            assertThat(connAck(back, V5.connect("one", false, 600))).as("resumes its own").isZero();
        }
        assertThat(broker.broker().metrics().refusedCount(Refusal.SESSIONS)).isEqualTo(2);
    }

    @Test
    void retainedMessagesPastTheCountAreRefusedAsAWholeButMayBeReplacedAndCleared() throws Exception {
        broker = EmbeddedBroker.start(Map.of("mqtt.max-retained-messages", 2));
        RawClient sub = v5("sub", true, 0);
        sub.send(V5.subscribe(1, "r/#", 1));
        sub.readUntil(PacketType.SUBACK);
        RawClient pub = v5("pub", true, 0);
        assertThat(publish(pub, "r/a", true, 1, "a").reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(publish(pub, "r/b", true, 2, "b").reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        PubAck refused = publish(pub, "r/c", true, 3, "c");
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(refused.properties().string(io.gannet.broker.codec.PropertyId.REASON_STRING))
                .contains("mqtt.max-retained-messages");
        assertThat(publish(pub, "r/a", true, 4, "a2").reasonCode()).as("replacing").isEqualTo(ReasonCode.SUCCESS);
        assertThat(publish(pub, "r/b", true, 5, "").reasonCode()).as("clearing").isEqualTo(ReasonCode.SUCCESS);
        assertThat(publish(pub, "r/c", true, 6, "c").reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        List<String> delivered = new ArrayList<>();
        for (int i = 0; i < 4; i++) { // a, b, a2, (b cleared), c: not the refused c
            delivered.add(V5.text((Publish) sub.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5)));
        }
        assertThat(delivered).containsExactly("a", "b", "a2", "");
        assertThat(V5.text((Publish) sub.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5))).isEqualTo("c");
        assertThat(broker.broker().metrics().refusedCount(Refusal.RETAINED_LIMITS)).isEqualTo(1);
    }

    @Test
    void retainedMessagesPastTheBytesAreRefused() throws Exception {
        broker = EmbeddedBroker.start(Map.of("mqtt.max-retained-bytes", 1000));
        RawClient pub = v5("pub", true, 0);
        // No subscribers here: an accepted message gets 0x10.
        assertThat(publish(pub, "big/1", true, 1, "x".repeat(600)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(publish(pub, "big/2", true, 2, "x".repeat(600)).reasonCode())
                .isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(publish(pub, "big/1", true, 3, "x".repeat(900)).reasonCode()).as("grows within the limit")
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(publish(pub, "big/2", true, 4, "x".repeat(100)).reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(publish(pub, "big/2", false, 5, "x".repeat(600)).reasonCode()).as("not retained: no limit")
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    void pastTheMemoryOfAllQueuesQos1IsRefusedAndQos0Dropped() throws Exception {
        broker = EmbeddedBroker.start(Map.of("sessions.max-queued-bytes-total", 3000,
                "sessions.queue-qos0-offline", true));
        for (String id : new String[] {"away1", "away2"}) {
            RawClient c = v5(id, false, 600);
            c.send(V5.subscribe(1, "q/#", 1));
            c.readUntil(PacketType.SUBACK);
            c.close();
        }
        awaitOffline("away1", "away2");
        RawClient pub = v5("pub", true, 0);
        // Each message is queued twice (two offline sessions), about 1,030 bytes each time as sent.
        assertThat(publish(pub, "q/1", false, 1, "x".repeat(1000)).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        // The two copies are queued on the sessions' own loops, which may come after the publisher's PUBACK (no
        // store to wait for): the budget counts them once both are there.
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.parseLong(
                broker.broker().sys().snapshot().getOrDefault("$SYS/broker/queues/bytes", "0")) >= 2000);
        PubAck refused = publish(pub, "q/2", false, 2, "x".repeat(1000));
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(refused.properties().string(io.gannet.broker.codec.PropertyId.REASON_STRING))
                .contains("sessions.max-queued-bytes-total");
        pub.send(V5.publish("q/3", 0, 0, MqttProperties.EMPTY, "x".repeat(1000)));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                broker.broker().metrics().droppedCount(DropReason.QUEUE_MEMORY) >= 3); // q/2 once or twice, q/3
        // A client that comes back and takes its messages frees the memory for new ones.
        RawClient back = v5("away1", false, 600);
        Publish first = (Publish) back.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5);
        back.send(RawClient.encode(new PubAck(first.packetId()), MqttVersion.V5));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(publish(pub, "q/4", false, 9, "x").reasonCode()).isEqualTo(ReasonCode.SUCCESS));
    }

    @Test
    void queueBytesCountTheTopicAndPropertiesNotThePayloadAlone() throws Exception {
        broker = EmbeddedBroker.start(Map.of("sessions.max-queued-bytes", 1024,
                "sessions.queue-full-policy", "drop-newest"));
        RawClient away = v5("away", false, 600);
        String topic = "long/" + "t".repeat(600);
        away.send(V5.subscribe(1, "long/#", 1));
        away.readUntil(PacketType.SUBACK);
        away.close();
        awaitOffline("away");
        RawClient pub = v5("pub", true, 0);
        publish(pub, topic, false, 1, "1"); // one byte of payload, over 600 as sent
        publish(pub, topic, false, 2, "2");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                broker.broker().metrics().droppedCount(DropReason.QUEUE_FULL) == 1);
    }
}
