package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.MqttClient;
import io.gannet.broker.auth.AuthDecision;
import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/** CONNECT: versions, client id rules, the authentication hook, the connect timeout and session takeover. */
class ConnectTest {

    @Test
    void acceptsAllThreeProtocolVersions() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Mqtt3BlockingClient v311 = Clients.v3(broker, "v311");
            assertThat(v311.connect().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
            v311.disconnect();
            Mqtt5BlockingClient v5 = Clients.v5(broker, "v5");
            assertThat(v5.connect().getReasonCode().getCode()).isZero();
            v5.disconnect();
            // MQTT 3.1 ("MQIsdp", level 3) through Paho, which still speaks it.
            var paho = new org.eclipse.paho.client.mqttv3.MqttClient("tcp://127.0.0.1:" + broker.port(), "v31",
                    new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
            paho.connect(options);
            assertThat(paho.isConnected()).isTrue();
            paho.disconnect();
            paho.close();
        }
    }

    @Test
    void assignsAnIdToAnEmptyClientIdWithCleanSession() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient raw = new RawClient(broker.port())) {
            raw.send(MalformedCorpus.connect(MqttVersion.V3_1_1, ""));
            RawClient.RawPacket ack = raw.read();
            assertThat(ack.type()).isEqualTo(PacketType.CONNACK);
            assertThat(ack.byteAt(1)).isEqualTo(ReasonCode.V3_ACCEPTED);
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.broker().sessions().size() == 1);
        }
    }

    @Test
    void mqtt5ClientGetsTheAssignedClientIdentifier() {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().serverHost("127.0.0.1")
                    .serverPort(broker.port()).buildBlocking();
            Mqtt5ConnAck ack = c.connect();
            assertThat(ack.getAssignedClientIdentifier()).hasValueSatisfying(
                    id -> assertThat(id.toString()).startsWith("gannet-"));
            c.disconnect();
        }
    }

    @Test
    void refusesAnEmptyClientIdWhenConfigured() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.allow-empty-client-id", false));
             RawClient raw = new RawClient(broker.port())) {
            raw.send(MalformedCorpus.connect(MqttVersion.V3_1_1, ""));
            assertThat(raw.read().byteAt(1)).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
            assertThat(raw.closedByBroker()).isTrue();
        }
    }

    @Test
    void refusesAWillAboveTheMaximumQosOrRetainedWhereRetainIsNotAvailable() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.max-qos", 1, "mqtt.retain-available", false))) {
            assertThat(connectWithWill(broker, MqttVersion.V5, 2, false)).isEqualTo(ReasonCode.QOS_NOT_SUPPORTED);
            assertThat(connectWithWill(broker, MqttVersion.V5, 1, true)).isEqualTo(ReasonCode.RETAIN_NOT_SUPPORTED);
            assertThat(connectWithWill(broker, MqttVersion.V3_1_1, 2, false))
                    .isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
            assertThat(connectWithWill(broker, MqttVersion.V5, 1, false)).isEqualTo(ReasonCode.SUCCESS);
            assertThat(broker.broker().metrics().refusedCount(io.gannet.broker.metrics.BrokerMetrics.Refusal.WILL))
                    .isEqualTo(3);
        }
    }

    /** The CONNACK's reason code (5.0) or return code (3.1.1) for a CONNECT with a will on {@code last/words}. */
    private static int connectWithWill(EmbeddedBroker broker, MqttVersion version, int qos, boolean retain)
            throws Exception {
        try (RawClient raw = new RawClient(broker.port())) {
            raw.send(RawClient.encode(new io.gannet.broker.codec.Connect(version, "w" + qos + retain + version, true,
                    0, null, null, new io.gannet.broker.codec.Connect.Will("last/words", new byte[] {1}, qos, retain,
                    io.gannet.broker.codec.MqttProperties.EMPTY), io.gannet.broker.codec.MqttProperties.EMPTY),
                    version));
            return raw.readUntil(io.gannet.broker.codec.PacketType.CONNACK).byteAt(1);
        }
    }

    @Test
    void passesCredentialsToTheAuthenticationHookAndHonoursItsAnswer() {
        List<ConnectAttempt> seen = new CopyOnWriteArrayList<>();
        Authenticator auth = (attempt, connectionOpen) -> {
            seen.add(attempt);
            boolean ok = "secret".equals(attempt.password() == null ? null
                    : new String(attempt.password(), StandardCharsets.UTF_8));
            // Complete later, from another thread, as a real plugin calling a directory would.
            return CompletableFuture.supplyAsync(() -> ok ? AuthDecision.ALLOW
                    : new AuthDecision(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password"));
        };
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of(), auth)) {
            Mqtt3BlockingClient good = Clients.v3(broker, "good");
            good.connectWith().simpleAuth().username("alice").password("secret".getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
            assertThat(good.getState().isConnected()).isTrue();
            good.disconnect();

            Mqtt3BlockingClient bad = Clients.v3(broker, "bad");
            assertThatThrownBy(() -> bad.connectWith().simpleAuth().username("alice")
                    .password("nope".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                    .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(
                            e.getMqttMessage().getReturnCode())
                            .isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));

            Mqtt5BlockingClient bad5 = Clients.v5(broker, "bad5");
            assertThatThrownBy(() -> bad5.connectWith().simpleAuth().username("bob")
                    .password("x".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send())
                    .hasMessageContaining("BAD_USER_NAME_OR_PASSWORD");
        }
        assertThat(seen).extracting(ConnectAttempt::clientId).containsExactly("good", "bad", "bad5");
        assertThat(seen.get(0).username()).isEqualTo("alice");
        assertThat(seen.get(0).listenerName()).isEqualTo("test");
        assertThat(seen.get(0).toString()).doesNotContain("secret");
    }

    @Test
    void closesASocketThatSendsNoConnect() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.connect-timeout-seconds", 1));
             RawClient raw = new RawClient(broker.port())) {
            raw.readTimeout(Duration.ofSeconds(10));
            assertThat(raw.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void secondConnectionWithTheSameClientIdTakesOver() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start();
             RawClient first = new RawClient(broker.port()); RawClient second = new RawClient(broker.port())) {
            first.send(MalformedCorpus.connect(MqttVersion.V5, "same"));
            assertThat(first.read().type()).isEqualTo(PacketType.CONNACK);
            second.send(MalformedCorpus.connect(MqttVersion.V5, "same"));
            assertThat(second.read().byteAt(1)).isZero();
            RawClient.RawPacket disconnect = first.read();
            assertThat(disconnect.type()).isEqualTo(PacketType.DISCONNECT);
            assertThat(disconnect.byteAt(0)).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
            assertThat(first.closedByBroker()).isTrue();
            second.send(MalformedCorpus.packet(0xC0));
            assertThat(second.read().type()).isEqualTo(PacketType.PINGRESP);
        }
    }

    @Test
    void takeoverRacesEndWithOneConnectedClient() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start()) {
            List<RawClient> clients = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    RawClient c = new RawClient(broker.port());
                    c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "racer"));
                    clients.add(c);
                }
                // Connections are handled on two event loops at once, so any one of them may win; exactly one
                // must stay open and work, and every other must be closed.
                List<RawClient> open = new java.util.ArrayList<>();
                for (RawClient c : clients) {
                    if (!c.readTimeout(Duration.ofSeconds(3)).closedByBroker()) {
                        open.add(c);
                    }
                }
                assertThat(open).hasSize(1);
                RawClient winner = open.get(0);
                winner.readTimeout(Duration.ofSeconds(10)).send(MalformedCorpus.packet(0xC0));
                assertThat(winner.readUntil(PacketType.PINGRESP)).isNotNull();
                assertThat(broker.broker().sessions().size()).isEqualTo(1);
            } finally {
                for (RawClient c : clients) {
                    c.close();
                }
            }
        }
    }
}
