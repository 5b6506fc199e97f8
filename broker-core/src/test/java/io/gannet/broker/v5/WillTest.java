package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Will Delay Interval and will properties [3.1.2.5, 3.1.3.2]. */
class WillTest {
    private EmbeddedBroker broker;
    private Mqtt5BlockingClient watcher;
    private Mqtt5BlockingClient.Mqtt5Publishes wills;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start();
        watcher = Clients.v5(broker, "watcher");
        watcher.connect();
        wills = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @AfterEach
    void stop() {
        wills.close();
        watcher.disconnect();
        broker.close();
    }

    private static Connect.Will will(String id, long delay, MqttProperties.Builder extra) {
        if (delay > 0) {
            extra.number(PropertyId.WILL_DELAY_INTERVAL, delay);
        }
        return new Connect.Will("wills/" + id, ("bye " + id).getBytes(StandardCharsets.UTF_8), 1, false,
                extra.build());
    }

    private Optional<Mqtt5Publish> next(Duration wait) throws InterruptedException {
        return wills.receive(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void delayedWillIsPublishedAfterTheDelayWithItsProperties() throws Exception {
        MqttProperties.Builder props = V5.props().string(PropertyId.CONTENT_TYPE, "text/plain")
                .string(PropertyId.RESPONSE_TOPIC, "replies/here")
                .binary(PropertyId.CORRELATION_DATA, new byte[] {1, 2, 3})
                .number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 3600)
                .userProperty("first", "1").userProperty("second", "2");
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connectWithWill("delayed", 60, will("delayed", 1, props)));
            c.read();
        }
        Mqtt5Publish w = next(Duration.ofSeconds(10)).orElseThrow();
        assertThat(w.getTopic().toString()).isEqualTo("wills/delayed");
        assertThat(w.getContentType().orElseThrow().toString()).isEqualTo("text/plain");
        assertThat(w.getResponseTopic().orElseThrow().toString()).isEqualTo("replies/here");
        java.nio.ByteBuffer correlation = w.getCorrelationData().orElseThrow();
        byte[] bytes = new byte[correlation.remaining()];
        correlation.get(bytes);
        assertThat(bytes).containsExactly(1, 2, 3);
        assertThat(w.getMessageExpiryInterval().orElseThrow()).isBetween(3590L, 3600L);
        assertThat(w.getUserProperties().asList()).extracting(p -> p.getName().toString() + "=" + p.getValue())
                .containsExactly("first=1", "second=2"); // in order [MQTT-3.3.2-18]
    }

    @Test
    void reconnectingWithinTheDelayCancelsTheWill() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connectWithWill("back", 60, will("back", 3, V5.props())));
            c.read();
        }
        try (RawClient again = new RawClient(broker.port())) {
            again.send(V5.connect("back", false, 60));
            assertThat(again.read().byteAt(0)).as("session present").isEqualTo(1);
            assertThat(next(Duration.ofSeconds(5))).as("[MQTT-3.1.3-9]").isEmpty();
        }
    }

    @Test
    void sessionEndingBeforeTheDelayPublishesTheWillAtOnce() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connectWithWill("brief", 0, will("brief", 3600, V5.props())));
            c.read();
        }
        assertThat(next(Duration.ofSeconds(10))).as("expiry 0 ends the session now").isPresent();
    }

    @Test
    void disconnectWithWillMessageReasonPublishesIt() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connectWithWill("deliberate", 0, will("deliberate", 0, V5.props())));
            c.read();
            c.send(RawClient.encode(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, MqttProperties.EMPTY),
                    MqttVersion.V5));
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(next(Duration.ofSeconds(10)).orElseThrow().getTopic().toString()).isEqualTo("wills/deliberate");
    }

    @Test
    void normalDisconnectDiscardsTheWill() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connectWithWill("tidy", 0, will("tidy", 0, V5.props())));
            c.read();
            c.send(RawClient.encode(Disconnect.NORMAL, MqttVersion.V5));
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(next(Duration.ofMillis(500))).isEmpty();
    }
}
