package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.Subscribe.TopicSubscription;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No Local, Retain As Published, Retain Handling and Subscription Identifiers [3.8.3.1, 3.8.2.1.2]. */
class SubscriptionOptionsTest {
    private EmbeddedBroker broker;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private RawClient client(String id) throws Exception {
        RawClient c = new RawClient(broker.port());
        c.send(V5.connect(id, true, 0));
        c.read();
        return c;
    }

    private static void subscribe(RawClient c, TopicSubscription sub, int subscriptionId) throws Exception {
        c.send(V5.subscribe(1, sub, subscriptionId));
        assertThat(c.readUntil(PacketType.SUBACK)).isNotNull();
    }

    private static Publish next(RawClient c) throws Exception {
        return (Publish) c.read().decode(MqttVersion.V5);
    }

    @Test
    void noLocalSkipsTheSubscribersOwnMessages() throws Exception {
        try (RawClient me = client("me"); RawClient other = client("other")) {
            subscribe(me, new TopicSubscription("chat", 0, true, false, 0), 0);
            me.send(V5.publish("chat", 0, 0, MqttProperties.EMPTY, "mine"));
            other.send(V5.publish("chat", 0, 0, MqttProperties.EMPTY, "theirs"));
            assertThat(V5.text(next(me))).as("[MQTT-3.8.3-3]").isEqualTo("theirs");
        }
    }

    @Test
    void retainAsPublishedKeepsTheFlag() throws Exception {
        try (RawClient keep = client("keep"); RawClient clear = client("clear"); RawClient pub = client("pub")) {
            subscribe(keep, new TopicSubscription("rap", 0, false, true, 0), 0);
            subscribe(clear, new TopicSubscription("rap", 0, false, false, 0), 0);
            pub.send(V5.publish("rap", 0, true, 0, MqttProperties.EMPTY, "r"));
            assertThat(next(keep).retain()).as("[MQTT-3.3.1-13]").isTrue();
            assertThat(next(clear).retain()).as("[MQTT-3.3.1-12]").isFalse();
        }
    }

    @Test
    void retainHandlingChoosesWhenRetainedMessagesAreSent() throws Exception {
        try (RawClient pub = client("pub")) {
            pub.send(V5.publish("rh", 0, true, 0, MqttProperties.EMPTY, "stored"));
            pub.send(V5.publish("rh/probe", 0, false, 0, MqttProperties.EMPTY, "p"));
        }
        try (RawClient c = client("rh0")) {
            subscribe(c, new TopicSubscription("rh", 0, false, false, 0), 0);
            assertThat(V5.text(next(c))).isEqualTo("stored");
            subscribe(c, new TopicSubscription("rh", 0, false, false, 0), 0);
            assertThat(V5.text(next(c))).as("0: on every subscribe").isEqualTo("stored");
        }
        try (RawClient c = client("rh1")) {
            subscribe(c, new TopicSubscription("rh", 0, false, false, 1), 0);
            assertThat(V5.text(next(c))).as("1: for a new subscription").isEqualTo("stored");
            subscribe(c, new TopicSubscription("rh", 0, false, false, 1), 0);
            assertThat(c.silentFor(Duration.ofMillis(300))).as("1: not when it already existed").isTrue();
        }
        try (RawClient c = client("rh2")) {
            subscribe(c, new TopicSubscription("rh", 0, false, false, 2), 0);
            assertThat(c.silentFor(Duration.ofMillis(300))).as("2: never").isTrue();
        }
    }

    @Test
    void everyMatchingSubscriptionIdentifierIsSentOnOneCopy() throws Exception {
        try (RawClient sub = client("ids"); RawClient pub = client("pub")) {
            subscribe(sub, new TopicSubscription("home/#", 0, false, false, 0), 7);
            subscribe(sub, new TopicSubscription("home/+/temp", 1, false, false, 0), 300_000);
            subscribe(sub, new TopicSubscription("home/kitchen/temp", 0, false, false, 0), 0);
            pub.send(V5.publish("home/kitchen/temp", 1, 1, MqttProperties.EMPTY, "21"));
            Publish p = next(sub);
            assertThat(p.qos()).as("highest QoS of the matches").isEqualTo(1);
            assertThat(p.properties().subscriptionIdentifiers()).as("[MQTT-3.3.4-4]")
                    .containsExactlyInAnyOrder(7, 300_000);
            assertThat(sub.silentFor(Duration.ofMillis(300))).as("one copy").isTrue();
        }
    }

    @Test
    void retainedMessagesCarryTheSubscriptionIdentifier() throws Exception {
        try (RawClient pub = client("pub")) {
            pub.send(V5.publish("kept", 0, true, 0, MqttProperties.EMPTY, "k"));
        }
        try (RawClient c = client("c")) {
            subscribe(c, new TopicSubscription("kept", 0, false, false, 0), 42);
            Publish p = next(c);
            assertThat(p.retain()).isTrue();
            assertThat(p.properties().subscriptionIdentifiers()).containsExactly(42);
        }
    }

    @Test
    void userPropertiesAndRequestResponsePropertiesPassThroughInOrder() throws Exception {
        MqttProperties props = V5.props().string(PropertyId.RESPONSE_TOPIC, "reply/to/me")
                .binary(PropertyId.CORRELATION_DATA, new byte[] {9, 8, 7})
                .string(PropertyId.CONTENT_TYPE, "application/json")
                .number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .userProperty("b", "2").userProperty("a", "1").userProperty("b", "3").build();
        try (RawClient sub = client("sub"); RawClient pub = client("pub")) {
            subscribe(sub, new TopicSubscription("req", 0, false, false, 0), 0);
            pub.send(V5.publish("req", 0, 0, props, "{}"));
            Publish p = next(sub);
            assertThat(p.properties()).isEqualTo(props);
        }
    }
}
