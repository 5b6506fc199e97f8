package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.testing.RawClient.RawPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Clean and persistent sessions: what survives a disconnect, queueing while offline, resending in-flight messages. */
class SessionTest {

    private static byte[] connect(String id, boolean clean) {
        return RawClient.encode(new Connect(MqttVersion.V3_1_1, id, clean, 60, null, null, null, MqttProperties.EMPTY),
                MqttVersion.V3_1_1);
    }

    private static byte[] subscribe(String filter, int qos) {
        return RawClient.encode(new Subscribe(1, List.of(Subscribe.TopicSubscription.of(filter, qos)),
                MqttProperties.EMPTY), MqttVersion.V3_1_1);
    }

    private static void publish(EmbeddedBroker broker, String topic, int count, MqttQos qos) {
        Mqtt3BlockingClient pub = Clients.v3(broker, "publisher");
        pub.connect();
        for (int i = 0; i < count; i++) {
            pub.publishWith().topic(topic).qos(qos).payload(("m" + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        pub.disconnect();
    }

    @Test
    void persistentSessionQueuesWhileOfflineAndResumes() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("durable", false));
                assertThat(c.read().byteAt(0)).as("no session yet").isZero();
                c.send(subscribe("d/#", 1));
                assertThat(c.read().type()).isEqualTo(PacketType.SUBACK);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            publish(broker, "d/x", 5, MqttQos.AT_LEAST_ONCE);
            publish(broker, "d/x", 1, MqttQos.AT_MOST_ONCE); // QoS 0 is not queued for offline sessions by default
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.broker().metrics().droppedCount(DropReason.QOS0_OFFLINE) == 1);
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("durable", false));
                RawPacket ack = c.read();
                assertThat(ack.byteAt(0)).as("session present [MQTT-3.2.2-2]").isEqualTo(1);
                for (int i = 0; i < 5; i++) {
                    RawPacket p = c.read();
                    assertThat(p.type()).isEqualTo(PacketType.PUBLISH);
                    assertThat(new String(p.body(), p.body().length - 2, 2, StandardCharsets.UTF_8)).isEqualTo("m" + i);
                    c.send(new PubAck(p.packetId()), MqttVersion.V3_1_1);
                }
                assertThat(c.silentFor(Duration.ofMillis(300))).as("nothing more queued").isTrue();
            }
            assertThat(broker.broker().metrics().droppedCount(DropReason.QOS0_OFFLINE)).isEqualTo(1);
        }
    }

    @Test
    void cleanSessionForgetsEverything() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("fleeting", true));
                c.read();
                c.send(subscribe("f/#", 1));
                c.read();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().sessions().size() == 0);
            assertThat(broker.broker().subscriptions().size()).isZero();
            // A persistent session replaced by a clean one is gone too [MQTT-3.1.2-6].
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("p", false));
                c.read();
                c.send(subscribe("p/#", 1));
                c.read();
            }
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("p", true));
                assertThat(c.read().byteAt(0)).as("session present").isZero();
                assertThat(broker.broker().subscriptions().size()).isZero();
            }
        }
    }

    @Test
    void resendsUnacknowledgedMessagesWithDupOnReconnect() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            int firstId;
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("forgetful", false));
                c.read();
                c.send(subscribe("r", 2));
                c.read();
                publish(broker, "r", 1, MqttQos.EXACTLY_ONCE);
                RawPacket p = c.read();
                assertThat(p.qos()).isEqualTo(2);
                assertThat(p.dup()).isFalse();
                firstId = p.packetId();
                // no PUBREC: the client goes away with the message in flight
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("forgetful", false));
                assertThat(c.read().byteAt(0)).isEqualTo(1);
                RawPacket again = c.read();
                assertThat(again.type()).isEqualTo(PacketType.PUBLISH);
                assertThat(again.dup()).as("DUP on redelivery [MQTT-3.3.1-1]").isTrue();
                assertThat(again.packetId()).isEqualTo(firstId);
                // Finish the flow this time: PUBREC, then the broker's PUBREL, then PUBCOMP.
                c.send(Acks.pubrec(firstId));
                RawPacket rel = c.read();
                assertThat(rel.type()).isEqualTo(PacketType.PUBREL);
                assertThat(rel.flags()).isEqualTo(2);
                c.send(Acks.pubcomp(firstId));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("forgetful", false));
                c.read();
                assertThat(c.silentFor(Duration.ofMillis(300))).as("nothing resent after PUBCOMP").isTrue();
            }
        }
    }

    @Test
    void resendsPubRelWhenOnlyTheReleaseWasOutstanding() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            int id;
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("half", false));
                c.read();
                c.send(subscribe("h", 2));
                c.read();
                publish(broker, "h", 1, MqttQos.EXACTLY_ONCE);
                id = c.read().packetId();
                c.send(Acks.pubrec(id));
                assertThat(c.read().type()).isEqualTo(PacketType.PUBREL);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("half", false));
                c.read();
                RawPacket rel = c.read();
                assertThat(rel.type()).as("PUBREL, not the PUBLISH again [MQTT-4.4.0-1]").isEqualTo(PacketType.PUBREL);
                assertThat(rel.packetId()).isEqualTo(id);
            }
        }
    }

    @Test
    void offlineQueueIsBoundedAndCountsWhatItDrops() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(java.util.Map.of("sessions.max-queued-messages", 10,
                "sessions.queue-full-policy", "drop-oldest"))) {
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("slowpoke", false));
                c.read();
                c.send(subscribe("q", 1));
                c.read();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            publish(broker, "q", 25, MqttQos.AT_LEAST_ONCE);
            // The session may live on the other event loop: its deliveries can finish after the PUBACKs.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.broker().metrics().droppedCount(DropReason.QUEUE_FULL) == 15);
            try (RawClient c = new RawClient(broker.port())) {
                c.send(connect("slowpoke", false));
                c.read();
                for (int i = 15; i < 25; i++) { // drop-oldest kept the newest ten
                    RawPacket p = c.read();
                    String payload = new String(p.body(), 5, p.body().length - 5, StandardCharsets.UTF_8);
                    assertThat(payload).isEqualTo("m" + i);
                    c.send(new PubAck(p.packetId()), MqttVersion.V3_1_1);
                }
            }
        }
    }

    @Test
    void hivemqClientResumesItsPersistentSession() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Mqtt3BlockingClient c = Clients.v3(broker, "resumer");
            c.connectWith().cleanSession(false).send();
            c.subscribeWith().topicFilter("z").qos(MqttQos.AT_LEAST_ONCE).send();
            c.disconnect();
            publish(broker, "z", 3, MqttQos.AT_LEAST_ONCE);
            try (Mqtt3BlockingClient.Mqtt3Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
                assertThat(c.connectWith().cleanSession(false).send().isSessionPresent()).isTrue();
                for (int i = 0; i < 3; i++) {
                    assertThat(in.receive(10, TimeUnit.SECONDS)).isPresent();
                }
            }
            c.disconnect();
        }
    }
}
