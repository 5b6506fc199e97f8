package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.session.Session;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Session Expiry Interval [3.1.2.11.2], Session Present and Clean Start [3.1.2.4]. */
class SessionExpiryTest {

    private static ConnAck connect(RawClient c, byte[] connect) throws Exception {
        c.send(connect);
        return (ConnAck) c.read().decode(MqttVersion.V5);
    }

    @Test
    void expiryZeroEndsTheSessionWithTheConnection() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                connect(c, V5.connect("zero", false, 0));
                c.send(V5.subscribe(1, "a", 1));
                c.read();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().sessions().size() == 0);
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.connect("zero", false, 0)).sessionPresent()).isFalse();
            }
        }
    }

    @Test
    void sessionSurvivesWithinItsExpiryAndEndsAfterIt() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.connect("short", true, 1)).sessionPresent()).isFalse();
            }
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.connect("short", false, 1)).sessionPresent())
                        .as("resumed within 1 s [MQTT-3.2.2-2]").isTrue();
            }
            // After the interval the broker forgets it on its own.
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().sessions().get("short") == null);
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.connect("short", false, 1)).sessionPresent()).isFalse();
            }
        }
    }

    @Test
    void cleanStartDiscardsAnExistingSession() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                connect(c, V5.connect("cs", false, 300));
                c.send(V5.subscribe(1, "x/#", 1));
                c.read();
            }
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.connect("cs", true, 300)).sessionPresent()).isFalse();
                assertThat(broker.broker().subscriptions().size()).isZero();
            }
        }
    }

    @Test
    void neverExpiringSessionIsKept() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                ConnAck ack = connect(c, V5.connect("forever", false, Session.NEVER_EXPIRES));
                assertThat(ack.properties().has(PropertyId.SESSION_EXPIRY_INTERVAL)).as("granted as asked").isFalse();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            Session s = broker.broker().sessions().get("forever");
            assertThat(s).isNotNull();
            assertThat(s.expirySeconds()).isEqualTo(Session.NEVER_EXPIRES);
        }
    }

    @Test
    void disconnectCanShortenTheExpiry() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient c = new RawClient(broker.port())) {
            connect(c, V5.connect("leaving", false, 300));
            c.send(RawClient.encode(new Disconnect(ReasonCode.SUCCESS,
                    V5.props().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0).build()), MqttVersion.V5));
            assertThat(c.closedByBroker()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().sessions().size() == 0);
        }
    }

    @Test
    void disconnectRaisingTheExpiryFromZeroIsAProtocolError() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient c = new RawClient(broker.port())) {
            connect(c, V5.connect("sneaky", false, 0));
            c.send(RawClient.encode(new Disconnect(ReasonCode.SUCCESS,
                    V5.props().number(PropertyId.SESSION_EXPIRY_INTERVAL, 60).build()), MqttVersion.V5));
            RawClient.RawPacket d = c.read();
            assertThat(d.type()).isEqualTo(PacketType.DISCONNECT);
            assertThat(d.byteAt(0)).as("[MQTT-3.14.2-2]").isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void brokerCapsTheExpiryAndSaysSo() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.max-session-expiry-seconds", 10));
             RawClient c = new RawClient(broker.port())) {
            ConnAck ack = connect(c, V5.connect("greedy", false, 3600));
            assertThat(ack.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, -1)).isEqualTo(10);
            assertThat(broker.broker().sessions().get("greedy").expirySeconds()).isEqualTo(10);
        }
    }

    @Test
    void offlineMessagesWaitForTheClient() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            try (RawClient c = new RawClient(broker.port())) {
                connect(c, V5.connect("away", false, 300));
                c.send(V5.subscribe(1, "news", 1));
                c.read();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().metrics().connectionsCurrent() == 0);
            RawClient pub = new RawClient(broker.port());
            connect(pub, V5.connect("pub", true, 0));
            pub.send(V5.publish("news", 1, 1, MqttProperties.EMPTY, "while you were away"));
            pub.read();
            try (RawClient c = new RawClient(broker.port())) {
                assertThat(connect(c, V5.connect("away", false, 300)).sessionPresent()).isTrue();
                io.gannet.broker.codec.Publish p = (io.gannet.broker.codec.Publish) c.read().decode(MqttVersion.V5);
                assertThat(V5.text(p)).isEqualTo("while you were away");
            } finally {
                pub.close();
            }
        }
    }
}
