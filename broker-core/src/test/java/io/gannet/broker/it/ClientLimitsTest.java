package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.SubAck;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.metrics.BrokerMetrics.Refusal;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-client limits, at and past each: client id length ({@code mqtt.max-client-id-length}), user properties
 * per message ({@code mqtt.max-user-properties-bytes}) and subscriptions per session
 * ({@code sessions.max-subscriptions}).
 */
class ClientLimitsTest {
    private EmbeddedBroker broker;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start(Map.of("mqtt.max-client-id-length", 30, "mqtt.max-user-properties-bytes", 20,
                "sessions.max-subscriptions", 3));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private int connAck(MqttVersion version, String id) throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(MalformedCorpus.connect(version, id));
            return c.readUntil(PacketType.CONNACK).byteAt(1);
        }
    }

    private RawClient connect(String id) throws Exception {
        RawClient c = new RawClient(broker.port());
        c.send(MalformedCorpus.connect(MqttVersion.V5, id));
        assertThat(c.readUntil(PacketType.CONNACK).byteAt(1)).isZero();
        return c;
    }

    @Test
    void aClientIdLongerThanTheLimitIsRefused() throws Exception {
        assertThat(connAck(MqttVersion.V5, "c".repeat(30))).isEqualTo(ReasonCode.SUCCESS);
        assertThat(connAck(MqttVersion.V5, "c".repeat(31))).isEqualTo(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        assertThat(connAck(MqttVersion.V3_1_1, "c".repeat(31))).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        assertThat(broker.broker().metrics().refusedCount(Refusal.CLIENT_ID)).isEqualTo(2);
    }

    @Test
    void userPropertiesBeyondTheLimitDisconnectThePublisher() throws Exception {
        MqttProperties atLimit = MqttProperties.builder().userProperty("k", "v".repeat(9)).userProperty("k2",
                "v".repeat(8)).build(); // 20 characters
        MqttProperties beyond = MqttProperties.builder().userProperty("k", "v".repeat(9)).userProperty("k2",
                "v".repeat(9)).build();
        try (RawClient c = connect("props")) {
            c.send(RawClient.encode(new Publish("t", 1, false, false, 1, atLimit, new byte[1]), MqttVersion.V5));
            assertThat(c.readUntil(PacketType.PUBACK).type()).isEqualTo(PacketType.PUBACK);
            c.send(RawClient.encode(new Publish("t", 1, false, false, 2, beyond, new byte[1]), MqttVersion.V5));
            assertThat(((Disconnect) c.readUntil(PacketType.DISCONNECT).decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.PACKET_TOO_LARGE);
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.send(RawClient.encode(new Connect(MqttVersion.V5, "will-props", true, 0, null, null, new Connect.Will(
                    "w", new byte[1], 0, false, beyond), MqttProperties.EMPTY), MqttVersion.V5));
            assertThat(c.readUntil(PacketType.CONNACK).byteAt(1)).isEqualTo(ReasonCode.PACKET_TOO_LARGE);
        }
        assertThat(broker.broker().metrics().refusedCount(Refusal.USER_PROPERTIES)).isEqualTo(2);
    }

    @Test
    void aSessionHoldsAtMostTheConfiguredSubscriptions() throws Exception {
        try (RawClient c = connect("subs")) {
            assertThat(subscribe(c, "a", "b", "$share/g/c", "d")).as("the fourth is one too many")
                    .containsExactly(1, 1, 1, ReasonCode.QUOTA_EXCEEDED);
            assertThat(subscribe(c, "a", "$share/g/c")).as("replacing one is not one more").containsExactly(1, 1);
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "subs3"));
            c.readUntil(PacketType.CONNACK);
            c.send(RawClient.encode(new Subscribe(1, List.of(Subscribe.TopicSubscription.of("a", 1),
                    Subscribe.TopicSubscription.of("b", 1), Subscribe.TopicSubscription.of("c", 1),
                    Subscribe.TopicSubscription.of("d", 1)), MqttProperties.EMPTY), MqttVersion.V3_1_1));
            assertThat(((SubAck) c.readUntil(PacketType.SUBACK).decode(MqttVersion.V3_1_1)).reasonCodes())
                    .containsExactly(1, 1, 1, ReasonCode.V3_SUBACK_FAILURE);
        }
        assertThat(broker.broker().metrics().refusedCount(Refusal.SUBSCRIPTIONS)).isEqualTo(2);
    }

    private static List<Integer> subscribe(RawClient c, String... filters) throws Exception {
        c.send(RawClient.encode(new Subscribe(1, java.util.Arrays.stream(filters)
                .map(f -> Subscribe.TopicSubscription.of(f, 1)).toList(), MqttProperties.EMPTY), MqttVersion.V5));
        return ((SubAck) c.readUntil(PacketType.SUBACK).decode(MqttVersion.V5)).reasonCodes();
    }
}
