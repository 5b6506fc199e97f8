package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.SubAck;
import io.gannet.broker.codec.Subscribe.TopicSubscription;
import io.gannet.broker.codec.UnsubAck;
import io.gannet.broker.codec.Unsubscribe;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shared subscriptions, {@code $share/{ShareName}/{filter}} and {@code $queue/{filter}} (section 4.8.2). */
class SharedSubscriptionTest {
    private EmbeddedBroker broker;
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (RawClient c : clients) {
            c.close();
        }
        broker.close();
    }

    private RawClient client(String id) throws Exception {
        RawClient c = new RawClient(broker.port());
        clients.add(c);
        c.send(V5.connect(id, true, 0));
        c.read();
        return c;
    }

    private static int subscribe(RawClient c, String filter, int qos) throws Exception {
        c.send(V5.subscribe(1, filter, qos));
        return ((SubAck) c.readUntil(PacketType.SUBACK).decode(MqttVersion.V5)).reasonCodes().get(0);
    }

    private static void publish(RawClient pub, String topic, int count, int qos) throws Exception {
        for (int i = 0; i < count; i++) {
            pub.send(V5.publish(topic, qos, i + 1, MqttProperties.EMPTY, "m" + i));
            if (qos > 0) {
                pub.readUntil(PacketType.PUBACK);
            }
        }
    }

    private static int countUntilSilent(RawClient c) throws Exception {
        int n = 0;
        while (!c.silentFor(Duration.ofMillis(300))) {
            c.read();
            n++;
        }
        return n;
    }

    @Test
    void messagesAreSpreadRoundRobinOverTheMembers() throws Exception {
        RawClient a = client("a");
        RawClient b = client("b");
        RawClient c = client("c");
        for (RawClient m : List.of(a, b, c)) {
            assertThat(subscribe(m, "$share/workers/jobs/+", 0)).isZero();
        }
        publish(client("pub"), "jobs/x", 30, 0);
        assertThat(List.of(countUntilSilent(a), countUntilSilent(b), countUntilSilent(c)))
                .containsExactly(10, 10, 10);
        assertThat(broker.broker().subscriptions().sharedMembers("workers", "jobs/+")).isEqualTo(3);
    }

    @Test
    void queuePrefixIsOneGroup() throws Exception {
        RawClient a = client("a");
        RawClient b = client("b");
        subscribe(a, "$queue/q", 0);
        subscribe(b, "$queue/q", 0);
        publish(client("pub"), "q", 10, 0);
        assertThat(countUntilSilent(a) + countUntilSilent(b)).isEqualTo(10);
        assertThat(countUntilSilent(a)).isZero();
    }

    @Test
    void differentGroupsEachGetACopy() throws Exception {
        RawClient a = client("a");
        RawClient b = client("b");
        subscribe(a, "$share/one/t", 0);
        subscribe(b, "$share/two/t", 0);
        publish(client("pub"), "t", 5, 0);
        assertThat(countUntilSilent(a)).isEqualTo(5);
        assertThat(countUntilSilent(b)).isEqualTo(5);
    }

    @Test
    void aSharedAndAPlainSubscriptionOfOneClientGiveTwoCopies() throws Exception {
        RawClient a = client("a");
        subscribe(a, "$share/g/t", 0);
        subscribe(a, "t", 0);
        publish(client("pub"), "t", 1, 0);
        assertThat(countUntilSilent(a)).isEqualTo(2);
    }

    @Test
    void noRetainedMessagesOnASharedSubscribe() throws Exception {
        RawClient pub = client("pub");
        pub.send(V5.publish("kept", 0, true, 0, MqttProperties.EMPTY, "r"));
        RawClient a = client("a");
        subscribe(a, "kept", 0);
        assertThat(countUntilSilent(a)).as("the plain subscribe gets it").isEqualTo(1);
        RawClient b = client("b");
        subscribe(b, "$share/g/kept", 0);
        assertThat(countUntilSilent(b)).as("the shared one does not").isZero();
    }

    @Test
    void invalidShareNamesAreRefusedWith0x8F() throws Exception {
        RawClient a = client("a");
        for (String bad : List.of("$share/a+b/t", "$share/a#/t", "$share//t", "$share/g", "$share/g/a/#/b")) {
            assertThat(subscribe(a, bad, 0)).as(bad).isEqualTo(ReasonCode.TOPIC_FILTER_INVALID);
        }
        assertThat(subscribe(a, "$share/ok/t", 0)).isZero();
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() throws Exception {
        RawClient a = client("a");
        a.send(V5.subscribe(1, new TopicSubscription("$share/g/t", 0, true, false, 0), 0));
        assertThat(a.readUntil(PacketType.DISCONNECT).byteAt(0)).as("[MQTT-3.8.3-4]")
                .isEqualTo(ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void unsubscribeLeavesTheGroup() throws Exception {
        RawClient a = client("a");
        RawClient b = client("b");
        subscribe(a, "$share/g/t", 0);
        subscribe(b, "$share/g/t", 0);
        a.send(RawClient.encode(new Unsubscribe(2, List.of("$share/g/t"), MqttProperties.EMPTY), MqttVersion.V5));
        assertThat(((UnsubAck) a.readUntil(PacketType.UNSUBACK).decode(MqttVersion.V5)).reasonCodes())
                .containsExactly(ReasonCode.SUCCESS);
        publish(client("pub"), "t", 4, 0);
        assertThat(countUntilSilent(a)).isZero();
        assertThat(countUntilSilent(b)).isEqualTo(4);
    }

    @Test
    void unacknowledgedMessagesOfALeavingMemberGoToAnother() throws Exception {
        RawClient lazy = client("lazy");
        RawClient busy = client("busy");
        subscribe(lazy, "$share/g/work", 1);
        subscribe(busy, "$share/g/work", 1);
        publish(client("pub"), "work", 6, 1);
        // Each got three; 'busy' acknowledges its own, 'lazy' never does and then goes away.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Publish p = (Publish) busy.read().decode(MqttVersion.V5);
            busy.send(RawClient.encode(new PubAck(p.packetId()), MqttVersion.V5));
            seen.add(V5.text(p));
        }
        for (int i = 0; i < 3; i++) {
            lazy.read();
        }
        lazy.close();
        for (int i = 0; i < 3; i++) {
            Publish p = (Publish) busy.read().decode(MqttVersion.V5);
            busy.send(RawClient.encode(new PubAck(p.packetId()), MqttVersion.V5));
            seen.add(V5.text(p));
        }
        assertThat(seen).as("all six reached the member that stayed").hasSize(6);
    }

    @Test
    void aQos2MessageSentToALeavingMemberStaysForItsReturnAndGoesToNoOtherMember() throws Exception {
        RawClient lazy = new RawClient(broker.port());
        clients.add(lazy);
        lazy.send(V5.connect("lazy2", false, 600));
        lazy.read();
        subscribe(lazy, "$share/g/exact", 2);
        RawClient busy = client("busy2");
        subscribe(busy, "$share/g/exact", 2);
        RawClient pub = client("pub2");
        for (int i = 1; i <= 2; i++) {
            pub.send(V5.publish("exact", 2, i, MqttProperties.EMPTY, "m" + i));
            pub.readUntil(PacketType.PUBREC);
        }
        // One each, round robin. 'lazy' sends no PUBREC and goes away: its delivery has begun, so it must finish
        // with 'lazy' [MQTT-4.8.2-4], not start over with 'busy' (which would make two copies of a QoS 2 message).
        Publish atLazy = (Publish) lazy.read().decode(MqttVersion.V5);
        Publish atBusy = (Publish) busy.read().decode(MqttVersion.V5);
        busy.send(RawClient.encode(new PubRec(atBusy.packetId()), MqttVersion.V5));
        busy.readUntil(PacketType.PUBREL);
        busy.send(RawClient.encode(new PubComp(atBusy.packetId()), MqttVersion.V5));
        lazy.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 2);
        assertThat(busy.silentFor(Duration.ofMillis(500))).as("busy got no second copy").isTrue();

        try (RawClient back = new RawClient(broker.port())) {
            back.send(V5.connect("lazy2", false, 600));
            assertThat(((ConnAck) back.read().decode(MqttVersion.V5)).sessionPresent()).isTrue();
            RawClient.RawPacket again = back.read();
            assertThat(again.type()).isEqualTo(PacketType.PUBLISH);
            assertThat(again.dup()).as("sent again, DUP set").isTrue();
            assertThat(again.packetId()).isEqualTo(atLazy.packetId());
            assertThat(V5.text((Publish) again.decode(MqttVersion.V5))).isEqualTo(V5.text(atLazy));
        }
    }

    @Test
    void offlineMembersQueueWhenNoMemberIsOnline() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("durable", false, 600));
            c.read();
            subscribe(c, "$share/g/later", 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
        publish(client("pub"), "later", 2, 1);
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("durable", false, 600));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).sessionPresent()).isTrue();
            assertThat(V5.text((Publish) c.read().decode(MqttVersion.V5))).isEqualTo("m0");
            assertThat(V5.text((Publish) c.read().decode(MqttVersion.V5))).isEqualTo("m1");
        }
    }

    @Test
    void canBeSwitchedOff() throws Exception {
        try (EmbeddedBroker off = EmbeddedBroker.start(Map.of("mqtt.shared-subscriptions", false));
             RawClient c = new RawClient(off.port())) {
            c.send(V5.connect("c", true, 0));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).properties()
                    .number(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, -1)).isZero();
            c.send(V5.subscribe(1, "$share/g/t", 0));
            assertThat(((SubAck) c.read().decode(MqttVersion.V5)).reasonCodes())
                    .containsExactly(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED);
        }
    }
}
