package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.SubAck;
import io.gannet.broker.codec.Subscribe.TopicSubscription;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What CONNACK announces (Maximum QoS, Retain Available, Wildcard / Subscription Identifier / Shared Subscription
 * Available, Server Keep Alive, Response Information) and that the broker enforces it; Request Problem Information;
 * Payload Format Indicator.
 */
class CapabilitiesTest {

    private static ConnAck connect(RawClient c, MqttProperties props) throws Exception {
        c.send(V5.connect("c", true, props));
        return (ConnAck) c.read().decode(MqttVersion.V5);
    }

    @Test
    void defaultsAreAnnouncedToARealClient() {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("probe").serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildBlocking();
            Mqtt5ConnAck ack = c.connect();
            Mqtt5ConnAckRestrictions r = ack.getRestrictions();
            assertThat(r.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            assertThat(r.isRetainAvailable()).isTrue();
            assertThat(r.isWildcardSubscriptionAvailable()).isTrue();
            assertThat(r.areSubscriptionIdentifiersAvailable()).isTrue();
            assertThat(r.isSharedSubscriptionAvailable()).isTrue();
            assertThat(r.getMaximumPacketSize()).isEqualTo(1_048_576);
            assertThat(r.getTopicAliasMaximum()).isEqualTo(16);
            c.disconnect();
        }
    }

    @Test
    void twoBrokersInOneProcessEachAnnounceTheirOwnSettings() throws Exception {
        // CONNACK's properties are made once per broker: brokers side by side must not see each other's.
        try (EmbeddedBroker a = EmbeddedBroker.start(Map.of("mqtt.max-qos", 1));
             EmbeddedBroker b = EmbeddedBroker.start(Map.of("mqtt.retain-available", false))) {
            for (int round = 0; round < 3; round++) {
                try (RawClient ca = new RawClient(a.port()); RawClient cb = new RawClient(b.port())) {
                    MqttProperties pa = connect(ca, MqttProperties.EMPTY).properties();
                    MqttProperties pb = connect(cb, MqttProperties.EMPTY).properties();
                    assertThat(pa.number(PropertyId.MAXIMUM_QOS, -1)).isEqualTo(1);
                    assertThat(pa.has(PropertyId.RETAIN_AVAILABLE)).isFalse();
                    assertThat(pb.has(PropertyId.MAXIMUM_QOS)).isFalse();
                    assertThat(pb.number(PropertyId.RETAIN_AVAILABLE, -1)).isZero();
                }
            }
        }
    }

    @Test
    void maximumQosIsAnnouncedAndEnforced() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.max-qos", 1));
             RawClient c = new RawClient(broker.port())) {
            assertThat(connect(c, MqttProperties.EMPTY).properties().number(PropertyId.MAXIMUM_QOS, -1)).isEqualTo(1);
            c.send(V5.subscribe(1, "q", 2));
            assertThat(((SubAck) c.read().decode(MqttVersion.V5)).reasonCodes()).containsExactly(1);
            c.send(V5.publish("q", 2, 1, MqttProperties.EMPTY, "too high"));
            assertThat(c.readUntil(PacketType.DISCONNECT).byteAt(0)).as("[MQTT-3.2.2-12]")
                    .isEqualTo(ReasonCode.QOS_NOT_SUPPORTED);
        }
    }

    @Test
    void retainUnavailableIsAnnouncedAndEnforced() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.retain-available", false));
             RawClient c = new RawClient(broker.port())) {
            assertThat(connect(c, MqttProperties.EMPTY).properties().number(PropertyId.RETAIN_AVAILABLE, -1))
                    .isZero();
            c.send(V5.publish("r", 0, true, 0, MqttProperties.EMPTY, "kept?"));
            assertThat(c.readUntil(PacketType.DISCONNECT).byteAt(0)).isEqualTo(ReasonCode.RETAIN_NOT_SUPPORTED);
        }
    }

    @Test
    void wildcardSubscriptionsCanBeSwitchedOff() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.wildcard-subscriptions", false));
             RawClient c = new RawClient(broker.port())) {
            assertThat(connect(c, MqttProperties.EMPTY).properties()
                    .number(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, -1)).isZero();
            c.send(V5.subscribe(1, "a/#", 0));
            SubAck ack = (SubAck) c.read().decode(MqttVersion.V5);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED);
            c.send(V5.subscribe(2, "a/b", 0));
            assertThat(((SubAck) c.read().decode(MqttVersion.V5)).reasonCodes()).containsExactly(0);
        }
    }

    @Test
    void subscriptionIdentifiersCanBeSwitchedOff() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.subscription-identifiers", false));
             RawClient c = new RawClient(broker.port())) {
            assertThat(connect(c, MqttProperties.EMPTY).properties()
                    .number(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, -1)).isZero();
            c.send(V5.subscribe(1, new TopicSubscription("a", 0, false, false, 0), 5));
            assertThat(c.readUntil(PacketType.DISCONNECT).byteAt(0))
                    .isEqualTo(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED);
        }
    }

    @Test
    void serverKeepAliveOverridesALongerClientKeepAlive() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.max-keep-alive-seconds", 30));
             RawClient c = new RawClient(broker.port())) {
            assertThat(connect(c, MqttProperties.EMPTY).properties().number(PropertyId.SERVER_KEEP_ALIVE, -1))
                    .as("client asked for 60").isEqualTo(30);
        }
    }

    @Test
    void responseInformationOnlyWhenAskedAndConfigured() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.response-information", "responses/%c"))) {
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.props().number(PropertyId.REQUEST_RESPONSE_INFORMATION, 1).build())
                        .properties().string(PropertyId.RESPONSE_INFORMATION)).isEqualTo("responses/c");
            }
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, MqttProperties.EMPTY).properties().has(PropertyId.RESPONSE_INFORMATION))
                        .isFalse();
            }
        }
    }

    @Test
    void requestProblemInformationZeroSuppressesReasonStrings() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                connect(c, MqttProperties.EMPTY);
                c.send(V5.subscribe(1, "$share/a+b/t", 0));
                assertThat(((SubAck) c.read().decode(MqttVersion.V5)).properties().string(PropertyId.REASON_STRING))
                        .isNotBlank();
            }
            try (RawClient c = new RawClient(broker.port())) {
                connect(c, V5.props().number(PropertyId.REQUEST_PROBLEM_INFORMATION, 0).build());
                c.send(V5.subscribe(1, "$share/a+b/t", 0));
                SubAck ack = (SubAck) c.read().decode(MqttVersion.V5);
                assertThat(ack.reasonCodes()).containsExactly(ReasonCode.TOPIC_FILTER_INVALID);
                assertThat(ack.properties().has(PropertyId.REASON_STRING)).as("[MQTT-3.1.2-29]").isFalse();
            }
        }
    }

    @Test
    void payloadMarkedUtf8MustBeUtf8() throws Exception {
        MqttProperties utf8 = V5.props().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1).build();
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient c = new RawClient(broker.port())) {
            connect(c, MqttProperties.EMPTY);
            c.send(RawClient.encode(new io.gannet.broker.codec.Publish("p", 1, false, false, 1, utf8,
                    new byte[] {(byte) 0xC3, 0x28}), MqttVersion.V5));
            PubAck ack = (PubAck) c.read().decode(MqttVersion.V5);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.PAYLOAD_FORMAT_INVALID);
            c.send(V5.publish("p", 1, 2, utf8, "grüße"));
            assertThat(((PubAck) c.read().decode(MqttVersion.V5)).reasonCode())
                    .as("valid UTF-8; no subscriber").isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        }
    }
}
