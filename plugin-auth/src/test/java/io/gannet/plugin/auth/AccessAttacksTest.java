package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.gannet.broker.Broker;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.metrics.BrokerMetrics.Refusal;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways around the access rules that a security review found, each tried as an attacker would against a real
 * broker with the auth plugin (a password listener {@code locked} and an anonymous one {@code open}), and shown to
 * fail.
 */
class AccessAttacksTest {
    @TempDir
    Path dir;
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        Path passwords = dir.resolve("passwords");
        Path acl = dir.resolve("acl");
        PasswdTool.run(new String[] {"-c", "-b", passwords.toString(), "alice", "wonderland"}, System.out, System.err);
        Files.writeString(acl, """
                all        read       public/#
                all        readwrite  users/%u/#
                all        readwrite  anon/#
                all        readwrite  clients/%c/#
                all        read       %c/#
                all        read       $share/workers/jobs/#
                deny all   write      anon/locked/#
                """);
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("password-file", passwords.toString());
        section.put("acl-file", acl.toString());
        section.put("anonymous-listeners", List.of("open"));
        section.put("failure-delay-ms", 0);
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", Map.of("AuthPlugin", section)))
                .withListeners(List.of(new ListenerConfig("locked", "127.0.0.1", 0, "mqtt"),
                        new ListenerConfig("open", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(new AuthPlugin()).start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Mqtt5BlockingClient client5(String listener, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.address(listener).getPort()).buildBlocking();
    }

    private Mqtt5ConnAck connectAlice(Mqtt5BlockingClient c) {
        return c.connectWith().cleanStart(false).sessionExpiryInterval(3600).simpleAuth().username("alice")
                .password("wonderland".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    }

    @Test
    void anAnonymousClientCannotTakeOverAUsersSessionByItsClientId() throws Exception {
        Mqtt5BlockingClient alice = client5("locked", "alice-phone");
        connectAlice(alice);
        alice.subscribeWith().topicFilter("users/alice/inbox").qos(MqttQos.AT_LEAST_ONCE).send();
        alice.disconnect();
        Mqtt5BlockingClient sender = client5("locked", "alice-laptop");
        connectAlice(sender);
        sender.publishWith().topic("users/alice/inbox").qos(MqttQos.AT_LEAST_ONCE)
                .payload("for alice only".getBytes(StandardCharsets.UTF_8)).send();
        sender.disconnect();

        // 5.0, anonymous, same client id, resuming: refused, and nothing of the session is given away.
        Mqtt5BlockingClient attacker = client5("open", "alice-phone");
        assertThatThrownBy(() -> attacker.connectWith().cleanStart(false).sessionExpiryInterval(3600).send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        // 3.1.1, clean session 0: return code 5.
        Mqtt3BlockingClient attacker3 = MqttClient.builder().useMqttVersion3().identifier("alice-phone")
                .serverHost("127.0.0.1").serverPort(broker.address("open").getPort()).buildBlocking();
        assertThatThrownBy(() -> attacker3.connectWith().cleanSession(false).send())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
        // A clean start would throw the session away: refused too.
        assertThatThrownBy(() -> attacker.connectWith().cleanStart(true).send())
                .isInstanceOf(Mqtt5ConnAckException.class);
        assertThat(broker.metrics().refusedCount(Refusal.SESSION_OWNER)).isEqualTo(3);

        // Alice still has her session and the message queued in it.
        try (Mqtt5BlockingClient.Mqtt5Publishes inbox = alice.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter
                .ALL)) {
            assertThat(connectAlice(alice).isSessionPresent()).isTrue();
            Optional<Mqtt5Publish> m = inbox.receive(10, TimeUnit.SECONDS);
            assertThat(m).map(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .contains("for alice only");
        }
        alice.disconnect();
    }

    @Test
    void anotherIdentityCannotThrowAConnectedUserOffByItsClientId() {
        Mqtt5BlockingClient alice = client5("locked", "alice-phone");
        connectAlice(alice);
        Mqtt5BlockingClient attacker = client5("open", "alice-phone");
        assertThatThrownBy(() -> attacker.connect()).isInstanceOf(Mqtt5ConnAckException.class);
        // Alice's connection is untouched: a round trip through the broker still works.
        alice.subscribeWith().topicFilter("users/alice/echo").qos(MqttQos.AT_LEAST_ONCE).send();
        assertThat(alice.getState().isConnected()).isTrue();
        alice.disconnect();
    }

    @Test
    void theSameUserTakesItsSessionOverFromAnotherConnection() {
        Mqtt5BlockingClient first = client5("locked", "alice-phone");
        connectAlice(first);
        first.subscribeWith().topicFilter("users/alice/inbox").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient second = client5("locked", "alice-phone");
        assertThat(connectAlice(second).isSessionPresent()).isTrue();
        second.disconnect();
    }

    @Test
    void aClientCannotLeaveAWillWhereItMayNotPublish() {
        // A retained will on $SYS, and one on another user's topic: refused at CONNECT, 5.0 and 3.1.1.
        Mqtt5BlockingClient sys = client5("open", "spoofer");
        assertThatThrownBy(() -> sys.connectWith().willPublish().topic("$SYS/broker/version").retain(true)
                .payload("0.0.0-owned".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        Mqtt3BlockingClient other = MqttClient.builder().useMqttVersion3().identifier("spoofer3")
                .serverHost("127.0.0.1").serverPort(broker.address("open").getPort()).buildBlocking();
        assertThatThrownBy(() -> other.connectWith().willPublish().topic("users/alice/inbox")
                .payload("fake".getBytes(StandardCharsets.UTF_8)).applyWillPublish().send())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
        assertThat(broker.metrics().refusedCount(Refusal.WILL)).isEqualTo(2);

        // A will on a topic the client may publish to is accepted, and published when it drops.
        Mqtt5BlockingClient watcher = client5("open", "watcher");
        watcher.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes wills = watcher.publishes(
                com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("anon/wills").qos(MqttQos.AT_LEAST_ONCE).send();
            // A raw client, so that it can vanish without DISCONNECT and leave its will behind.
            try (RawClient raw = new RawClient(broker.address("open").getPort())) {
                raw.send(new Connect(MqttVersion.V5, "dropper", true, 0, null, null, new Connect.Will("anon/wills",
                        "gone".getBytes(StandardCharsets.UTF_8), 1, false, MqttProperties.EMPTY),
                        MqttProperties.EMPTY), MqttVersion.V5);
                assertThat(raw.readUntil(PacketType.CONNACK).byteAt(1)).as("accepted").isZero();
            }
            assertThat(wills.receive(10, TimeUnit.SECONDS)).map(p -> new String(p.getPayloadAsBytes(),
                    StandardCharsets.UTF_8)).contains("gone");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        watcher.disconnect();
    }

    @Test
    void sharedSubscriptionsAreAuthorizedWithTheirGroup() {
        Mqtt5BlockingClient c = client5("open", "worker");
        c.connect();
        assertThat(c.subscribeWith().topicFilter("$share/workers/jobs/#").send().getReasonCodes())
                .extracting(Enum::name).containsExactly("GRANTED_QOS_2");
        assertThatThrownBy(() -> c.subscribeWith().topicFilter("$share/intruders/jobs/#").send())
                .isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class);
        assertThatThrownBy(() -> c.subscribeWith().topicFilter("jobs/#").send())
                .as("the group's grant is not a plain one")
                .isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class);
        assertThat(c.subscribeWith().topicFilter("$share/anyone/public/news").send().getReasonCodes())
                .as("a plain grant covers a shared subscription").extracting(Enum::name)
                .containsExactly("GRANTED_QOS_2");
        c.disconnect();
    }

    @Test
    void aClientIdOfDollarSysDoesNotReachTheBrokersTopics() {
        Mqtt5BlockingClient c = client5("open", "$SYS");
        c.connect();
        assertThatThrownBy(() -> c.subscribeWith().topicFilter("$SYS/#").send())
                .isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class);
        c.disconnect();
    }

    @Test
    void denyRulesTakeAwayWhatAGrantGives() {
        Mqtt5BlockingClient c = client5("open", "anon-1");
        c.connect();
        assertThat(c.publishWith().topic("anon/open").qos(MqttQos.AT_LEAST_ONCE).send().getError()).isEmpty();
        assertThatThrownBy(() -> c.publishWith().topic("anon/locked/door").qos(MqttQos.AT_LEAST_ONCE).send())
                .isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException.class);
        c.disconnect();
    }
}
