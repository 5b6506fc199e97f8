package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auth plugin in a real broker: passwords, anonymous access per listener, ACL rules, reloading. */
class AuthPluginTest {
    @TempDir
    Path dir;
    private Broker broker;
    private final AuthPlugin plugin = new AuthPlugin();
    private Path passwords;
    private Path acl;

    @BeforeEach
    void start() throws Exception {
        passwords = dir.resolve("passwords");
        acl = dir.resolve("acl");
        PasswdTool.run(new String[] {"-c", "-b", passwords.toString(), "alice", "wonderland"}, System.out, System.err);
        PasswdTool.run(new String[] {"-b", passwords.toString(), "admin", "root"}, System.out, System.err);
        Files.writeString(acl, """
                all        read       public/#
                all        readwrite  users/%u/#
                user:admin read       $SYS/#
                """);
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("password-file", passwords.toString());
        section.put("acl-file", acl.toString());
        section.put("anonymous-listeners", List.of("open"));
        section.put("reload-interval-seconds", 1);
        section.put("failure-delay-ms", 0);
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", Map.of("AuthPlugin", section)))
                .withListeners(List.of(new ListenerConfig("locked", "127.0.0.1", 0, "mqtt"),
                        new ListenerConfig("open", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(plugin).start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Mqtt5BlockingClient client(String listener, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.address(listener).getPort()).buildBlocking();
    }

    private Mqtt5ConnAckReasonCode connect(String listener, String user, String password) {
        Mqtt5BlockingClient c = client(listener, "c" + System.nanoTime());
        try {
            if (user == null) {
                c.connect();
            } else {
                c.connectWith().simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8))
                        .applySimpleAuth().send();
            }
            c.disconnect();
            return Mqtt5ConnAckReasonCode.SUCCESS;
        } catch (Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    @Test
    void passwordsAreChecked() {
        assertThat(connect("locked", "alice", "wonderland")).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connect("locked", "alice", "wrong")).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(connect("locked", "mallory", "x")).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(plugin.failures()).isEqualTo(2);
    }

    @Test
    void anonymousAccessIsAPerListenerSetting() {
        assertThat(connect("open", null, null)).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connect("locked", null, null)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void aclRulesDecidePublishAndSubscribe() {
        Mqtt5BlockingClient alice = client("locked", "alice-1");
        alice.connectWith().simpleAuth().username("alice").password("wonderland".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        alice.publishWith().topic("users/alice/status").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
        try {
            alice.publishWith().topic("users/admin/status").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            throw new AssertionError("%u must not reach another user's topics");
        } catch (Mqtt5PubAckException e) {
            assertThat(e.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
        }
        alice.subscribeWith().topicFilter("public/+/news").send();
        try {
            alice.subscribeWith().topicFilter("$SYS/#").send();
            throw new AssertionError("$SYS is readable only when granted");
        } catch (Mqtt5SubAckException e) {
            assertThat(e.getMqttMessage().getReasonCodes().get(0).getCode()).isEqualTo(0x87);
        }
        alice.disconnect();
        Mqtt5BlockingClient admin = client("locked", "admin-1");
        admin.connectWith().simpleAuth().username("admin").password("root".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        admin.subscribeWith().topicFilter("$SYS/#").send();
        admin.disconnect();
    }

    @Test
    void changedFilesAreReloaded() throws Exception {
        assertThat(connect("locked", "carol", "new")).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        PasswdTool.run(new String[] {"-b", passwords.toString(), "carol", "new"}, System.out, System.err);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> connect("locked", "carol", "new") == Mqtt5ConnAckReasonCode.SUCCESS);
        // Rules too: grant alice everything under shared/, and the cached denial is forgotten.
        Mqtt5BlockingClient alice = client("locked", "alice-2");
        alice.connectWith().simpleAuth().username("alice").password("wonderland".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        Files.writeString(acl, Files.readString(acl) + "user:alice readwrite shared/#\n");
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            alice.publishWith().topic("shared/x").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            return true;
        });
        alice.disconnect();
    }
}
