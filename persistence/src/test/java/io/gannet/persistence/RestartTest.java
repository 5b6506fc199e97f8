package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MutableClock;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.v5.V5;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker stopped and started again on the same journal: persistent sessions come back with their subscriptions
 * (options and identifiers included), queued QoS 1 and 2 messages in order, and the retained messages.
 */
class RestartTest {
    @TempDir
    Path home;

    private final MutableClock clock = new MutableClock();

    private EmbeddedBroker start() {
        return EmbeddedBroker.startFromClassPath(Map.of("persistence.enabled", true,
                "persistence.directory", "data/persistence", "sessions.max-queued-messages", 10_000), home, clock);
    }

    private static Mqtt5BlockingClient client(int port, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }

    private static Mqtt5ConnAck connectPersistent(Mqtt5BlockingClient c) {
        return c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void queuedMessagesSubscriptionsAndRetainedMessagesSurviveARestart() throws Exception {
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient sub = client(broker.port(), "device-1");
            connectPersistent(sub);
            sub.subscribeWith().addSubscription().topicFilter("dev/#").qos(MqttQos.EXACTLY_ONCE).noLocal(true)
                    .applySubscription().send();
            sub.disconnect();

            Mqtt5BlockingClient pub = client(broker.port(), "publisher");
            pub.connect();
            for (int i = 0; i < 100; i++) {
                pub.publishWith().topic("dev/a").qos(i % 2 == 0 ? MqttQos.AT_LEAST_ONCE : MqttQos.EXACTLY_ONCE)
                        .payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
            }
            pub.publishWith().topic("status/door").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .userProperties().add("unit", "door-7").applyUserProperties()
                    .payload("open".getBytes(StandardCharsets.UTF_8)).send();
            pub.disconnect();
        }

        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient sub = client(broker.port(), "device-1");
            try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                assertThat(connectPersistent(sub).isSessionPresent()).as("session present after the restart").isTrue();
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    Optional<Mqtt5Publish> p = in.receive(10, TimeUnit.SECONDS);
                    assertThat(p).as("message %d of 100", i).isPresent();
                    got.add(text(p.get()));
                    assertThat(p.get().getQos()).isEqualTo(i % 2 == 0 ? MqttQos.AT_LEAST_ONCE : MqttQos.EXACTLY_ONCE);
                }
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    expected.add("m" + i);
                }
                assertThat(got).containsExactlyElementsOf(expected);

                // The subscription came back with its No Local option: the session's own message stays away.
                sub.publishWith().topic("dev/own").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
                assertThat(in.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
            }
            sub.disconnect();

            Mqtt5BlockingClient reader = client(broker.port(), "reader");
            reader.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes in = reader.publishes(MqttGlobalPublishFilter.ALL)) {
                reader.subscribeWith().topicFilter("status/#").qos(MqttQos.AT_LEAST_ONCE).send();
                Mqtt5Publish retained = in.receive(10, TimeUnit.SECONDS).orElseThrow();
                assertThat(text(retained)).isEqualTo("open");
                assertThat(retained.isRetain()).isTrue();
                assertThat(retained.getUserProperties().asList()).hasSize(1);
                assertThat(retained.getUserProperties().asList().get(0).getValue().toString()).isEqualTo("door-7");
            }
            reader.disconnect();
        }
    }

    @Test
    void aSessionThatEndedDoesNotComeBack() throws Exception {
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient sub = client(broker.port(), "device-2");
            connectPersistent(sub);
            sub.subscribeWith().topicFilter("x/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();
            // A clean start ends the old session; expiry 0 ends the new one when its client leaves.
            sub.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
            sub.disconnect();
        }
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient sub = client(broker.port(), "device-2");
            assertThat(connectPersistent(sub).isSessionPresent()).isFalse();
            sub.disconnect();
        }
    }

    @Test
    void aSubscriptionKeepsItsIdentifierAcrossARestart() throws Exception {
        try (EmbeddedBroker broker = start(); RawClient dev = new RawClient(broker.port())) {
            dev.send(V5.connect("sid-device", false, 3600));
            dev.readUntil(PacketType.CONNACK);
            dev.send(V5.subscribe(1, Subscribe.TopicSubscription.of("sid/#", 1), 42));
            dev.readUntil(PacketType.SUBACK);
        }
        try (EmbeddedBroker broker = start(); RawClient dev = new RawClient(broker.port())) {
            dev.send(V5.connect("sid-device", false, 3600));
            assertThat(dev.readUntil(PacketType.CONNACK).byteAt(0) & 1).as("session present").isEqualTo(1);
            Mqtt5BlockingClient pub = client(broker.port(), "sid-pub");
            pub.connect();
            pub.publishWith().topic("sid/x").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {7}).send();
            Publish p = (Publish) dev.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5);
            assertThat(p.properties().subscriptionIdentifiers()).containsExactly(42);
            pub.disconnect();
        }
    }

    @Test
    void aSessionThatExpiredWhileTheBrokerWasDownIsGone() throws Exception {
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient dev = client(broker.port(), "short-lived");
            dev.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            dev.subscribeWith().topicFilter("e/#").qos(MqttQos.AT_LEAST_ONCE).send();
            dev.disconnect();
            Mqtt5BlockingClient keeper = client(broker.port(), "long-lived");
            keeper.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            keeper.disconnect();
        }
        clock.advance(Duration.ofSeconds(61)); // the broker is down while the first session's expiry runs out
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient dev = client(broker.port(), "short-lived");
            assertThat(dev.connectWith().cleanStart(false).sessionExpiryInterval(60).send().isSessionPresent())
                    .as("expired across the restart").isFalse();
            dev.disconnect();
            Mqtt5BlockingClient keeper = client(broker.port(), "long-lived");
            assertThat(keeper.connectWith().cleanStart(false).sessionExpiryInterval(3600).send()
                    .isSessionPresent()).as("within its expiry").isTrue();
            keeper.disconnect();
        }
    }

    @Test
    void aDelayedWillOfAClientLostInTheRestartIsPublishedWhenItsDelayHasPassed() throws Exception {
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient watcher = client(broker.port(), "watcher");
            connectPersistent(watcher);
            watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();
            watcher.disconnect();
            RawClient dev = new RawClient(broker.port());
            dev.send(V5.connectWithWill("lost-device", 3600, new Connect.Will("wills/lost-device",
                    "gone".getBytes(StandardCharsets.UTF_8), 1, false,
                    V5.props().number(PropertyId.WILL_DELAY_INTERVAL, 30).build())));
            dev.readUntil(PacketType.CONNACK);
            // The broker stops with the device still connected: its will waits for its delay, across the restart.
        }
        clock.advance(Duration.ofSeconds(31));
        try (EmbeddedBroker broker = start()) {
            Mqtt5BlockingClient watcher = client(broker.port(), "watcher");
            try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
                connectPersistent(watcher);
                Mqtt5Publish will = in.receive(10, TimeUnit.SECONDS).orElseThrow();
                assertThat(will.getTopic().toString()).isEqualTo("wills/lost-device");
                assertThat(text(will)).isEqualTo("gone");
            }
            watcher.disconnect();
        }
    }
}
