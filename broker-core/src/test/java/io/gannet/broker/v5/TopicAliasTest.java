package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Topic Alias in both directions [3.3.2.3.4]. */
class TopicAliasTest {
    private static MqttProperties alias(int a) {
        return V5.props().number(PropertyId.TOPIC_ALIAS, a).build();
    }

    @Test
    void clientAliasesAreResolvedUpToTheAnnouncedMaximum() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.topic-alias-maximum", 4));
             RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.send(V5.connect("sub", true, 0));
            sub.read();
            sub.send(V5.subscribe(1, "#", 0));
            sub.read();
            pub.send(V5.connect("pub", true, 0));
            ConnAck ack = (ConnAck) pub.read().decode(MqttVersion.V5);
            assertThat(ack.properties().number(PropertyId.TOPIC_ALIAS_MAXIMUM, 0)).isEqualTo(4);
            pub.send(V5.publish("long/topic/name", 0, 0, alias(4), "one"));
            pub.send(V5.publish("", 0, 0, alias(4), "two")); // topic from the alias
            for (String expected : new String[] {"one", "two"}) {
                Publish p = (Publish) sub.read().decode(MqttVersion.V5);
                assertThat(p.topic()).isEqualTo("long/topic/name");
                assertThat(V5.text(p)).isEqualTo(expected);
                assertThat(p.properties().has(PropertyId.TOPIC_ALIAS)).as("aliases are per hop").isFalse();
            }
            pub.send(V5.publish("", 0, 0, alias(3), "unknown"));
            RawClient.RawPacket d = pub.readUntil(PacketType.DISCONNECT);
            assertThat(d.byteAt(0)).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void aliasAboveTheMaximumIsRefused() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.topic-alias-maximum", 0));
             RawClient pub = new RawClient(broker.port())) {
            pub.send(V5.connect("pub", true, 0));
            assertThat(((ConnAck) pub.read().decode(MqttVersion.V5)).properties()
                    .has(PropertyId.TOPIC_ALIAS_MAXIMUM)).isFalse();
            pub.send(V5.publish("t", 0, 0, alias(1), "x"));
            assertThat(pub.readUntil(PacketType.DISCONNECT).byteAt(0)).isEqualTo(ReasonCode.TOPIC_ALIAS_INVALID);
        }
    }

    /** Connects a 5.0 subscriber that allows {@code max} aliases, publishes to the topics, returns what arrives. */
    private static Publish[] receive(EmbeddedBroker broker, int max, String... topics) throws Exception {
        try (RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.send(V5.connect("sub", true, V5.props().number(PropertyId.TOPIC_ALIAS_MAXIMUM, max).build()));
            sub.read();
            sub.send(V5.subscribe(1, "#", 0));
            sub.read();
            pub.send(V5.connect("pub", true, 0));
            pub.read();
            Publish[] got = new Publish[topics.length];
            for (int i = 0; i < topics.length; i++) {
                pub.send(V5.publish(topics[i], 0, 0, MqttProperties.EMPTY, "m" + i));
                got[i] = (Publish) sub.read().decode(MqttVersion.V5);
            }
            return got;
        }
    }

    @Test
    void brokerSetsUpAliasesTowardsTheClient() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Publish[] got = receive(broker, 2, "a/x", "a/x", "a/x");
            assertThat(got[0].topic()).isEqualTo("a/x");
            assertThat(got[0].properties().number(PropertyId.TOPIC_ALIAS, 0)).isEqualTo(1);
            assertThat(got[1].topic()).as("known alias, topic left out").isEmpty();
            assertThat(got[1].properties().number(PropertyId.TOPIC_ALIAS, 0)).isEqualTo(1);
            assertThat(got[2].topic()).isEmpty();
        }
    }

    @Test
    void noAliasesForAClientThatAllowsNone() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            for (Publish p : receive(broker, 0, "b", "b")) {
                assertThat(p.topic()).isEqualTo("b");
                assertThat(p.properties().has(PropertyId.TOPIC_ALIAS)).isFalse(); // [MQTT-3.3.2-10]
            }
        }
    }

    @Test
    void lruPolicyReusesTheLeastRecentlyUsedAlias() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Publish[] got = receive(broker, 2, "t1", "t2", "t1", "t3", "t1");
            assertThat(got[3].topic()).isEqualTo("t3");
            assertThat(got[3].properties().number(PropertyId.TOPIC_ALIAS, 0)).as("t2's alias, the least recent")
                    .isEqualTo(2);
            assertThat(got[4].topic()).as("t1 kept its alias").isEmpty();
        }
    }

    @Test
    void firstComePolicyKeepsTheFirstTopics() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.outbound-topic-alias-policy", "first-come"))) {
            Publish[] got = receive(broker, 1, "t1", "t2", "t1");
            assertThat(got[1].topic()).isEqualTo("t2");
            assertThat(got[1].properties().has(PropertyId.TOPIC_ALIAS)).isFalse();
            assertThat(got[2].topic()).isEmpty();
        }
    }
}
