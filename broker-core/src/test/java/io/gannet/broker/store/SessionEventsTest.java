package io.gannet.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.testing.RawClient.RawPacket;
import io.gannet.broker.testing.RecordingStore;
import io.gannet.broker.v5.V5;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which session events leave the core, and in which order, for each MQTT flow: real clients over real sockets, a
 * broker assembled around a {@link RecordingStore}. A clean session sends none; a persistent one sends every change
 * its store needs to rebuild it. The acknowledgements a durable store guards wait for it.
 */
class SessionEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final RecordingStore store = new RecordingStore();
    private EmbeddedBroker broker;
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start(Map.of(), store.ports());
    }

    @AfterEach
    void stop() throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
        broker.close();
    }

    private RawClient connect(String clientId, boolean cleanStart, long expiry) throws Exception {
        return connect(V5.connect(clientId, cleanStart, expiry));
    }

    private RawClient connect(byte[] connect) throws Exception {
        RawClient c = new RawClient(broker.port());
        clients.add(c);
        c.send(connect);
        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
        return c;
    }

    private static void subscribe(RawClient c, String filter, int qos) throws Exception {
        c.send(V5.subscribe(1, filter, qos));
        c.readUntil(PacketType.SUBACK);
    }

    private static byte[] v5(MqttPacket p) {
        return RawClient.encode(p, MqttVersion.V5);
    }

    private void awaitEvents(String clientId, String... expected) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(store.events(clientId)).containsExactly(expected));
    }

    @Test
    void aCleanSessionSendsNoEvents() throws Exception {
        RawClient sub = connect("clean", true, 0);
        subscribe(sub, "t", 1);
        RawClient pub = connect("pub", true, 0);
        pub.send(V5.publish("t", 1, 5, MqttProperties.EMPTY, "m"));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        RawPacket got = sub.read();
        sub.send(v5(new PubAck(got.packetId())));
        sub.send(v5(new Disconnect(ReasonCode.SUCCESS, MqttProperties.EMPTY)));
        await().atMost(WAIT).until(() -> broker.broker().sessions().get("clean") == null);
        assertThat(store.events("clean")).isEmpty();
        assertThat(store.events("pub")).isEmpty();
    }

    @Test
    void qos1ToAPersistentSession() throws Exception {
        RawClient sub = connect("sub", true, 60);
        subscribe(sub, "t", 1);
        awaitEvents("sub", "created anonymous expiry=60 will=none", "subscribed t qos=1");
        RawClient pub = connect("pub", true, 0);
        pub.send(V5.publish("t", 1, 5, MqttProperties.EMPTY, "m"));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        RawPacket got = sub.read();
        assertThat(got.packetId()).isEqualTo(1);
        sub.send(v5(new PubAck(1)));
        awaitEvents("sub", "created anonymous expiry=60 will=none", "subscribed t qos=1", "queued 0 t 'm' qos=1",
                "sent 0 id=1", "puback 1");
    }

    @Test
    void qos2ToAPersistentSession() throws Exception {
        RawClient sub = connect("sub", true, 60);
        subscribe(sub, "t", 2);
        RawClient pub = connect("pub", true, 0);
        pub.send(V5.publish("t", 2, 5, MqttProperties.EMPTY, "m"));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBREC);
        RawPacket got = sub.read();
        assertThat(got.qos()).isEqualTo(2);
        sub.send(v5(new PubRec(got.packetId())));
        assertThat(sub.read().type()).isEqualTo(PacketType.PUBREL);
        sub.send(v5(new PubComp(got.packetId())));
        awaitEvents("sub", "created anonymous expiry=60 will=none", "subscribed t qos=2", "queued 0 t 'm' qos=2",
                "sent 0 id=1", "pubrec 1", "pubcomp 1");
    }

    @Test
    void qos1AndQos2FromAPersistentSession() throws Exception {
        RawClient pub = connect("pub", true, 60);
        pub.send(V5.publish("nobody", 1, 8, MqttProperties.EMPTY, "one"));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        pub.send(V5.publish("nobody", 2, 7, MqttProperties.EMPTY, "two"));
        RawPacket rec = pub.read();
        assertThat(rec.type()).isEqualTo(PacketType.PUBREC);
        assertThat(rec.byteAt(2)).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        pub.send(v5(new PubRel(7)));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBCOMP);
        // QoS 1 from the client leaves nothing to keep; a QoS 2 id is kept until its PUBREL.
        awaitEvents("pub", "created anonymous expiry=60 will=none", "qos2 stored 7", "qos2 released 7");
    }

    @Test
    void anOfflineSessionQueuesAndResumes() throws Exception {
        RawClient sub = connect("sub", true, 60);
        subscribe(sub, "t", 1);
        sub.send(v5(new Disconnect(ReasonCode.SUCCESS, MqttProperties.EMPTY)));
        awaitEvents("sub", "created anonymous expiry=60 will=none", "subscribed t qos=1", "disconnected",
                "will cleared");
        RawClient pub = connect("pub", true, 0);
        pub.send(V5.publish("t", 1, 5, MqttProperties.EMPTY, "while away"));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        RawClient back = new RawClient(broker.port());
        clients.add(back);
        back.send(V5.connect("sub", false, 60));
        RawPacket connAck = back.read();
        assertThat(connAck.byteAt(0)).isEqualTo(1); // session present
        RawPacket got = back.read();
        assertThat(new String(((Publish) got.decode(MqttVersion.V5)).payload(), StandardCharsets.UTF_8))
                .isEqualTo("while away");
        back.send(v5(new PubAck(got.packetId())));
        awaitEvents("sub", "created anonymous expiry=60 will=none", "subscribed t qos=1", "disconnected",
                "will cleared", "queued 0 t 'while away' qos=1", "resumed anonymous expiry=60 will=none",
                "sent 0 id=1", "puback 1");
    }

    @Test
    void takeoverResumesOrStartsAfresh() throws Exception {
        RawClient first = connect("dev", true, 60);
        subscribe(first, "t", 1);
        RawClient second = connect("dev", false, 60);
        assertThat(first.readUntil(PacketType.DISCONNECT).byteAt(0)).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
        RawClient third = connect("dev", true, 120);
        assertThat(second.readUntil(PacketType.DISCONNECT).byteAt(0)).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
        third.send(v5(new Disconnect(ReasonCode.SUCCESS, MqttProperties.EMPTY)));
        awaitEvents("dev", "created anonymous expiry=60 will=none", "subscribed t qos=1",
                "resumed anonymous expiry=60 will=none", "ended", "created anonymous expiry=120 will=none",
                "disconnected", "will cleared");
    }

    @Test
    void aSessionExpires() throws Exception {
        RawClient c = connect("short", true, 1);
        c.send(v5(new Disconnect(ReasonCode.SUCCESS, MqttProperties.EMPTY)));
        awaitEvents("short", "created anonymous expiry=1 will=none", "disconnected", "will cleared",
                "ended expired");
        assertThat(broker.broker().sessions().get("short")).isNull();
    }

    @Test
    void aDisconnectThatEndsTheSessionSaysSo() throws Exception {
        RawClient c = connect("leaving", true, 60);
        c.send(v5(new Disconnect(ReasonCode.SUCCESS,
                V5.props().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0).build())));
        awaitEvents("leaving", "created anonymous expiry=60 will=none", "expiry=0", "disconnected", "will cleared",
                "ended");
    }

    @Test
    void aDelayedWillIsPendingThenPublished() throws Exception {
        RawClient watcher = connect("watcher", true, 0);
        subscribe(watcher, "w", 0);
        Connect.Will will = new Connect.Will("w", "gone".getBytes(StandardCharsets.UTF_8), 0, false,
                V5.props().number(PropertyId.WILL_DELAY_INTERVAL, 1).build());
        RawClient dev = connect(V5.connectWithWill("dev", 60, will));
        dev.close(); // lost, not disconnected: the will goes out after its delay
        Publish got = (Publish) watcher.read().decode(MqttVersion.V5);
        assertThat(V5.text(got)).isEqualTo("gone");
        awaitEvents("dev", "created anonymous expiry=60 will=w 'gone' delay=1", "disconnected",
                "will pending w 'gone'", "will cleared");
    }

    @Test
    void aClientThatReturnsWithinTheWillDelayCancelsTheWill() throws Exception {
        Connect.Will will = new Connect.Will("w", "gone".getBytes(StandardCharsets.UTF_8), 0, false,
                V5.props().number(PropertyId.WILL_DELAY_INTERVAL, 300).build());
        RawClient dev = connect(RawClient.encode(new Connect(MqttVersion.V5, "dev", true, 60, null, null, will,
                V5.props().number(PropertyId.SESSION_EXPIRY_INTERVAL, 600).build()), MqttVersion.V5));
        dev.close();
        await().atMost(WAIT).until(() -> store.events("dev").contains("will pending w 'gone'"));
        connect("dev", false, 600);
        awaitEvents("dev", "created anonymous expiry=600 will=w 'gone' delay=300", "disconnected",
                "will pending w 'gone'", "will cleared", "resumed anonymous expiry=600 will=none");
    }

    @Test
    void subscribeAndUnsubscribeAreJournaled() throws Exception {
        RawClient c = connect("subs", true, 60);
        subscribe(c, "a/+", 1);
        subscribe(c, "$share/g/b", 0);
        c.send(RawClient.encode(new io.gannet.broker.codec.Unsubscribe(2, List.of("a/+"), MqttProperties.EMPTY),
                MqttVersion.V5));
        c.readUntil(PacketType.UNSUBACK);
        awaitEvents("subs", "created anonymous expiry=60 will=none", "subscribed a/+ qos=1",
                "subscribed $share/g/b qos=0", "unsubscribed a/+");
    }

    @Test
    void aPublishersAcknowledgementWaitsForEveryPersistentSessionItReached() throws Exception {
        // Three persistent subscribers, online, spread over both event loops, and one offline.
        List<RawClient> subs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawClient s = connect("sub" + i, true, 60);
            subscribe(s, "t", 1);
            subs.add(s);
        }
        RawClient away = connect("away", true, 60);
        subscribe(away, "t", 1);
        away.send(v5(new Disconnect(ReasonCode.SUCCESS, MqttProperties.EMPTY)));
        await().atMost(WAIT).until(() -> store.events("away").contains("will cleared"));
        RawClient pub = connect("pub", true, 0);
        store.hold();
        pub.send(V5.publish("t", 1, 3, MqttProperties.EMPTY, "kept"));
        await().atMost(WAIT).until(() -> store.heldCount() == 4);
        assertThat(pub.silentFor(Duration.ofMillis(300))).isTrue(); // not acknowledged before the store kept it
        store.release();
        RawPacket ack = pub.read();
        assertThat(ack.type()).isEqualTo(PacketType.PUBACK);
        assertThat(ack.packetId()).isEqualTo(3);
        for (RawClient s : subs) {
            assertThat(s.read().type()).isEqualTo(PacketType.PUBLISH); // delivery does not wait for the store
        }
    }

    @Test
    void aQos2PubRecWaitsForTheStoredId() throws Exception {
        RawClient pub = connect("pub", true, 60);
        store.hold();
        pub.send(V5.publish("t", 2, 7, MqttProperties.EMPTY, "x"));
        await().atMost(WAIT).until(() -> store.heldCount() == 1);
        assertThat(pub.silentFor(Duration.ofMillis(300))).isTrue();
        store.release();
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBREC);
    }

    @Test
    void aRetainedMessagesAcknowledgementWaitsForTheRetainedStore() throws Exception {
        RawClient pub = connect("pub", true, 0);
        store.hold();
        pub.send(V5.publish("r", 1, true, 4, MqttProperties.EMPTY, "x"));
        await().atMost(WAIT).until(() -> store.heldCount() == 1);
        assertThat(pub.silentFor(Duration.ofMillis(300))).isTrue();
        store.release();
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        pub.send(V5.publish("r", 1, true, 5, MqttProperties.EMPTY, ""));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        assertThat(store.retainedEvents()).containsExactly("stored r 'x'", "cleared r");
    }

    @Test
    void aPersistentSessionsSubackWaitsForTheStoreAndAnswersStayInOrder() throws Exception {
        RawClient c = connect("subs-kept", true, 60);
        subscribe(c, "before", 1);
        store.hold();
        c.send(V5.subscribe(7, "a/+", 1));
        await().atMost(WAIT).until(() -> store.heldCount() == 1);
        // An UNSUBSCRIBE behind it is answered after it, though nothing of its own waits.
        c.send(RawClient.encode(new io.gannet.broker.codec.Unsubscribe(8, List.of("before"), MqttProperties.EMPTY),
                MqttVersion.V5));
        assertThat(c.silentFor(Duration.ofMillis(300))).isTrue(); // not granted before the store kept it
        store.release();
        RawPacket suback = c.read();
        assertThat(suback.type()).isEqualTo(PacketType.SUBACK);
        assertThat(suback.packetId()).isEqualTo(7);
        RawPacket unsuback = c.read();
        assertThat(unsuback.type()).isEqualTo(PacketType.UNSUBACK);
        assertThat(unsuback.packetId()).isEqualTo(8);
        // Granted, and it routes.
        RawClient pub = connect("pub", true, 0);
        pub.send(V5.publish("a/b", 1, 2, MqttProperties.EMPTY, "m"));
        assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        assertThat(c.read().type()).isEqualTo(PacketType.PUBLISH);
    }

    @Test
    void aSubscriptionTheStoreCouldNotKeepIsRefusedAndTakenBack() throws Exception {
        RawClient c = connect("subs-lost", true, 60);
        store.hold();
        c.send(V5.subscribe(3, "lost/#", 1));
        await().atMost(WAIT).until(() -> store.heldCount() == 1);
        store.failHeld();
        RawPacket suback = c.read();
        assertThat(suback.type()).isEqualTo(PacketType.SUBACK);
        assertThat(suback.body()[suback.body().length - 1] & 0xFF).as("reason code").isEqualTo(0x80);
        awaitEvents("subs-lost", "created anonymous expiry=60 will=none", "subscribed lost/# qos=1",
                "unsubscribed lost/#");
        RawClient pub = connect("pub", true, 0);
        pub.send(V5.publish("lost/x", 1, 2, MqttProperties.EMPTY, "m"));
        RawPacket ack = pub.read();
        assertThat(ack.type()).isEqualTo(PacketType.PUBACK);
        assertThat(c.silentFor(Duration.ofMillis(300))).as("no subscription is left to route to").isTrue();
    }

    @Test
    void aSubscriptionTheStoreDoesNotKeepInTimeIsRefused() throws Exception {
        RawClient c = connect("subs-stuck", true, 60);
        store.hold(); // never released: a cluster node cut off from its partition's majority
        c.send(V5.subscribe(4, "stuck/#", 1));
        c.readTimeout(Duration.ofSeconds(30)); // the SUBACK gives up on the store after 10 s
        RawPacket suback = c.read();
        assertThat(suback.type()).isEqualTo(PacketType.SUBACK);
        assertThat(suback.body()[suback.body().length - 1] & 0xFF).as("reason code").isEqualTo(0x80);
        assertThat(store.events("subs-stuck")).endsWith("subscribed stuck/# qos=1", "unsubscribed stuck/#");
    }
}
