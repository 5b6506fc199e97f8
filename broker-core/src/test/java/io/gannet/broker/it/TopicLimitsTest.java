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
 * {@code mqtt.max-topic-levels} and {@code mqtt.max-topic-length}, at and past the limit: a filter of thousands of
 * empty levels (which once cost about 90 MB of heap to index) is refused before anything splits it.
 */
class TopicLimitsTest {
    private EmbeddedBroker broker;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start(Map.of("mqtt.max-topic-levels", 8, "mqtt.max-topic-length", 100));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static String levels(int n) {
        return "a" + "/a".repeat(n - 1);
    }

    private RawClient connect(MqttVersion version, String id) throws Exception {
        RawClient c = new RawClient(broker.port());
        c.send(MalformedCorpus.connect(version, id));
        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
        return c;
    }

    private static List<Integer> subscribe(RawClient c, MqttVersion v, String... filters) throws Exception {
        c.send(RawClient.encode(new Subscribe(1, java.util.Arrays.stream(filters)
                .map(f -> Subscribe.TopicSubscription.of(f, 1)).toList(), MqttProperties.EMPTY), v));
        return ((SubAck) c.readUntil(PacketType.SUBACK).decode(v)).reasonCodes();
    }

    @Test
    void filtersAtTheLimitAreGrantedAndBeyondItRefused() throws Exception {
        String emptyLevels = "/".repeat(60_000); // 60,001 empty levels
        try (RawClient c = connect(MqttVersion.V5, "sub")) {
            assertThat(subscribe(c, MqttVersion.V5, levels(8), levels(9), "a/" + "b".repeat(98), "a/"
                    + "b".repeat(99), emptyLevels, "$share/g/" + levels(8)))
                    .containsExactly(1, ReasonCode.TOPIC_FILTER_INVALID, 1, ReasonCode.TOPIC_FILTER_INVALID,
                            ReasonCode.TOPIC_FILTER_INVALID, 1);
        }
        try (RawClient c = connect(MqttVersion.V3_1_1, "sub3")) {
            assertThat(subscribe(c, MqttVersion.V3_1_1, levels(9), levels(2)))
                    .containsExactly(ReasonCode.V3_SUBACK_FAILURE, 1);
        }
        assertThat(broker.broker().metrics().refusedCount(Refusal.TOPIC_LIMITS)).isEqualTo(4);
        assertThat(broker.broker().sys().snapshot()).containsEntry("$SYS/broker/refused/topic-limits", "4");
    }

    @Test
    void aPublishBeyondTheLimitDisconnectsItsClient() throws Exception {
        try (RawClient c = connect(MqttVersion.V5, "pub")) {
            c.send(RawClient.encode(new Publish(levels(8), 1, false, false, 1, MqttProperties.EMPTY, new byte[1]),
                    MqttVersion.V5));
            assertThat(c.readUntil(PacketType.PUBACK).type()).isEqualTo(PacketType.PUBACK);
            c.send(RawClient.encode(new Publish(levels(9), 1, false, false, 2, MqttProperties.EMPTY, new byte[1]),
                    MqttVersion.V5));
            assertThat(((Disconnect) c.readUntil(PacketType.DISCONNECT).decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
            assertThat(c.closedByBroker()).isTrue();
        }
        try (RawClient c = connect(MqttVersion.V3_1_1, "pub3")) {
            c.send(RawClient.encode(new Publish("x".repeat(101), 0, false, false, 0, MqttProperties.EMPTY,
                    new byte[1]), MqttVersion.V3_1_1));
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void aWillBeyondTheLimitIsRefusedAtConnect() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(RawClient.encode(new Connect(MqttVersion.V5, "w", true, 0, null, null, new Connect.Will(levels(9),
                    new byte[1], 0, false, MqttProperties.EMPTY), MqttProperties.EMPTY), MqttVersion.V5));
            assertThat(c.readUntil(PacketType.CONNACK).byteAt(1)).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
        }
    }
}
