package io.gannet.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.message.Message;
import io.gannet.broker.session.Session;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.testing.RawClient.RawPacket;
import io.gannet.broker.testing.RecordingStore;
import io.gannet.broker.v5.V5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A broker started from what a store hands back: the sessions with their subscriptions, queued and in-flight
 * messages and QoS 2 ids, and the retained messages, all in place before the first client connects.
 */
class RecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Message message(String topic, int qos, boolean retain, String payload) {
        return new Message(topic, qos, retain, payload.getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY, "pub");
    }

    private static StoredMessage stored(long seq, String topic, String payload) {
        return new StoredMessage(seq, message(topic, 1, false, payload), 1, false, null, null);
    }

    private static SessionSnapshot session(String clientId, long expiry, long disconnectedAt, Message will,
                                           List<SubscriptionRecord> subscriptions, List<StoredMessage> queued,
                                           List<InflightMessage> inflight, int[] qos2, long nextSeq) {
        return new SessionSnapshot(clientId, SessionOwner.ANONYMOUS, expiry, disconnectedAt, will, 0, subscriptions,
                queued, inflight, qos2, nextSeq);
    }

    private static SubscriptionRecord sub(String filter) {
        return new SubscriptionRecord(filter, 1, false, false, 0, 0, null);
    }

    private static String text(RawPacket p) {
        return V5.text((Publish) p.decode(MqttVersion.V5));
    }

    @Test
    void clientsFindTheirSessionsAsTheStoreKeptThem() throws Exception {
        long now = System.currentTimeMillis();
        SessionSnapshot dev = session("dev", Session.NEVER_EXPIRES, now - 1000, null,
                List.of(sub("a/#"), sub("lwt/#")), List.of(stored(5, "a/1", "second")),
                List.of(new InflightMessage(stored(4, "a/0", "first"), 9, false)), new int[] {7}, 6);
        // Expired while the broker was down: gone at once, its journal told so.
        SessionSnapshot gone = session("gone", 10, now - 60_000, null, List.of(sub("a/#")), List.of(), List.of(),
                new int[0], 0);
        // Connected when the broker stopped: the restart is the connection's loss, and its will goes out.
        SessionSnapshot crashed = session("crashed", 60, 0, message("lwt/crashed", 1, false, "bye"), List.of(),
                List.of(), List.of(), new int[0], 0);
        RecordingStore store = new RecordingStore(List.of(dev, gone, crashed),
                List.of(message("r/x", 0, true, "kept")));
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), store.ports());
             RawClient c = new RawClient(broker.port()); RawClient other = new RawClient(broker.port())) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(store.events("gone"))
                    .containsExactly("recovered", "ended expired"));
            assertThat(broker.broker().sessions().get("gone")).isNull();
            await().atMost(WAIT).untilAsserted(() -> assertThat(store.events("crashed"))
                    .containsExactly("recovered", "disconnected", "will cleared"));
            assertThat(broker.broker().retained().size()).isEqualTo(1);

            c.send(V5.connect("dev", false, Session.NEVER_EXPIRES));
            RawPacket connAck = c.read();
            assertThat(connAck.type()).isEqualTo(PacketType.CONNACK);
            assertThat(connAck.byteAt(0)).isEqualTo(1); // session present
            // In flight first, again under its packet id with DUP set [MQTT-4.4.0-1], then the queue in order.
            RawPacket first = c.read();
            assertThat(first.dup()).isTrue();
            assertThat(first.packetId()).isEqualTo(9);
            assertThat(text(first)).isEqualTo("first");
            RawPacket second = c.read();
            assertThat(second.dup()).isFalse();
            assertThat(second.packetId()).isNotEqualTo(9);
            assertThat(text(second)).isEqualTo("second");
            RawPacket will = c.read(); // the recovered will reached the recovered subscription
            assertThat(text(will)).isEqualTo("bye");
            for (RawPacket p : List.of(first, second, will)) {
                c.send(RawClient.encode(new PubAck(p.packetId()), MqttVersion.V5));
            }

            // The QoS 2 id 7 was still unreleased: PUBREL completes it normally.
            c.send(RawClient.encode(new PubRel(7), MqttVersion.V5));
            RawPacket comp = c.readUntil(PacketType.PUBCOMP);
            assertThat(comp.packetId()).isEqualTo(7);
            assertThat(comp.body()).hasSize(2); // success: no reason code (0x92 would say the id was unknown)

            // The subscriptions are in the routing index again.
            other.send(V5.connect("other", true, 0));
            other.read();
            other.send(V5.publish("a/2", 1, 1, MqttProperties.EMPTY, "live"));
            assertThat(other.read().type()).isEqualTo(PacketType.PUBACK);
            assertThat(text(c.readUntil(PacketType.PUBLISH))).isEqualTo("live");

            // And the retained message is there for a new subscription.
            c.send(V5.subscribe(3, "r/#", 0));
            c.readUntil(PacketType.SUBACK);
            RawPacket retained = c.readUntil(PacketType.PUBLISH);
            assertThat(retained.retain()).isTrue();
            assertThat(text(retained)).isEqualTo("kept");

            // From here on the recovered session journals as any other, continuing its numbering and packet ids.
            await().atMost(WAIT).untilAsserted(() -> assertThat(store.events("dev")).startsWith("recovered",
                    "queued 6 lwt/crashed 'bye' qos=1", "resumed anonymous expiry=4294967295 will=none",
                    "sent 5 id=10", "sent 6 id=11"));
        }
    }

    @Test
    void aSessionWhoseClientDoesNotReturnExpiresOnItsOldDeadline() throws Exception {
        long now = System.currentTimeMillis();
        RecordingStore store = new RecordingStore(List.of(session("brief", 2, now - 1000, null, List.of(), List.of(),
                List.of(), new int[0], 0)), List.of());
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), store.ports())) {
            await().atMost(WAIT).until(() -> broker.broker().sessions().get("brief") == null);
            assertThat(store.events("brief")).containsExactly("recovered", "ended expired");
        }
    }

    @Test
    void aPublishToARecoveredOfflineSessionIsQueuedForIt() throws Exception {
        RecordingStore store = new RecordingStore(List.of(session("sleeper", 600, System.currentTimeMillis(), null,
                List.of(sub("news")), List.of(), List.of(), new int[0], 3)), List.of());
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), store.ports());
             RawClient pub = new RawClient(broker.port())) {
            pub.send(V5.connect("pub", true, 0));
            pub.read();
            pub.send(V5.publish("news", 1, 1, MqttProperties.EMPTY, "hello"));
            RawPacket ack = pub.read();
            assertThat(ack.type()).isEqualTo(PacketType.PUBACK);
            assertThat(ack.body()).hasSize(2); // matched a subscriber: no 0x10
            await().atMost(WAIT).untilAsserted(() -> assertThat(store.events("sleeper"))
                    .containsExactly("recovered", "queued 3 news 'hello' qos=1"));
        }
    }
}
