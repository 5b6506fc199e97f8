package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MutableClock;
import io.gannet.broker.testing.RawClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Message Expiry Interval [3.3.2.3.3]: expired messages are not delivered; the interval sent on is what is left. */
class MessageExpiryTest {
    private final MutableClock clock = new MutableClock();

    private static MqttProperties expiry(long seconds) {
        return V5.props().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, seconds).build();
    }

    private static void publish(EmbeddedBroker broker, String topic, boolean retain, long expirySeconds)
            throws Exception {
        try (RawClient pub = new RawClient(broker.port())) {
            pub.send(V5.connect("pub", true, 0));
            pub.read();
            pub.send(V5.publish(topic, 1, retain, 1, expiry(expirySeconds), "m"));
            assertThat(pub.read().type()).isEqualTo(PacketType.PUBACK);
        }
    }

    private static void subscribeAndLeave(EmbeddedBroker broker, String id, String filter) throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect(id, false, 3600));
            c.read();
            c.send(V5.subscribe(1, filter, 1));
            c.read();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
    }

    @Test
    void queuedMessageIsSentWithTheTimeLeft() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), clock)) {
            subscribeAndLeave(broker, "sub", "e");
            publish(broker, "e", false, 100);
            clock.advance(Duration.ofSeconds(30));
            try (RawClient c = new RawClient(broker.port())) {
                c.send(V5.connect("sub", false, 3600));
                c.read();
                Publish p = (Publish) c.read().decode(MqttVersion.V5);
                assertThat(p.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1))
                        .as("[MQTT-3.3.2-6]").isEqualTo(70);
            }
        }
    }

    @Test
    void expiredQueuedMessageIsNotDelivered() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), clock)) {
            subscribeAndLeave(broker, "sub", "e");
            publish(broker, "e", false, 10);
            clock.advance(Duration.ofSeconds(11));
            try (RawClient c = new RawClient(broker.port())) {
                c.send(V5.connect("sub", false, 3600));
                assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
                assertThat(c.silentFor(Duration.ofMillis(500))).as("[MQTT-3.3.2-5]").isTrue();
            }
            assertThat(broker.broker().metrics().droppedCount(DropReason.EXPIRED)).isEqualTo(1);
        }
    }

    @Test
    void expiredRetainedMessageIsGone() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), clock)) {
            publish(broker, "r/short", true, 5);
            publish(broker, "r/long", true, 500);
            clock.advance(Duration.ofSeconds(6));
            try (RawClient c = new RawClient(broker.port())) {
                c.send(V5.connect("late", true, 0));
                c.read();
                c.send(V5.subscribe(1, "r/#", 1));
                assertThat(c.read().type()).isEqualTo(PacketType.SUBACK);
                Publish p = (Publish) c.read().decode(MqttVersion.V5);
                assertThat(p.topic()).isEqualTo("r/long");
                assertThat(p.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, -1)).isEqualTo(494);
                assertThat(c.silentFor(Duration.ofMillis(300))).isTrue();
            }
            assertThat(broker.broker().retained().size()).isEqualTo(1);
        }
    }
}
