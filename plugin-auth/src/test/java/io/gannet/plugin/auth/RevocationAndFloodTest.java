package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.gannet.broker.Broker;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.metrics.BrokerMetrics.Refusal;
import io.gannet.broker.testing.RawClient;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access taken away while clients are connected (a user deleted, a grant removed), and a flood of bad logins, against
 * a real broker with the auth plugin re-reading its files every second.
 */
class RevocationAndFloodTest {
    @TempDir
    Path dir;
    private Path passwords;
    private Path acl;
    private Broker broker;
    private final AuthPlugin plugin = new AuthPlugin();

    @BeforeEach
    void start() throws Exception {
        passwords = dir.resolve("passwords");
        acl = dir.resolve("acl");
        PasswdTool.run(new String[] {"-c", "-b", passwords.toString(), "alice", "wonderland"}, System.out, System.err);
        PasswdTool.run(new String[] {"-b", passwords.toString(), "bob", "builder"}, System.out, System.err);
        Files.writeString(acl, """
                all readwrite news/#
                all readwrite users/%u/#
                """);
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("password-file", passwords.toString());
        section.put("acl-file", acl.toString());
        section.put("reload-interval-seconds", 1);
        section.put("failure-delay-ms", 2000);
        section.put("max-failure-delay-ms", 10_000);
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", Map.of("AuthPlugin", section)))
                .withListeners(List.of(new ListenerConfig("locked", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(plugin).start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private Mqtt5BlockingClient login(String id, String user, String password, boolean persistent) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.address("locked").getPort()).buildBlocking();
        Mqtt5ConnAck ack = c.connectWith().cleanStart(!persistent).sessionExpiryInterval(persistent ? 3600 : 0)
                .simpleAuth().username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
        assertThat(ack.getReasonCode().isError()).isFalse();
        return c;
    }

    private int revision;

    /** Rewrites a file so that the next reload sees it changed: a new size, even within the clock's resolution. */
    private void rewrite(Path file, String text) throws Exception {
        revision++;
        Files.writeString(file, text + "\n#" + "r".repeat(revision) + "\n");
    }

    @Test
    void aDeletedUserLosesItsConnection() throws Exception {
        Mqtt5BlockingClient bob = login("bobs-phone", "bob", "builder", false);
        Mqtt5BlockingClient alice = login("alices-phone", "alice", "wonderland", false);
        PasswdTool.run(new String[] {"-D", passwords.toString(), "bob"}, System.out, System.err);
        await().atMost(Duration.ofSeconds(15)).until(() -> !bob.getState().isConnected());
        assertThat(alice.getState().isConnected()).as("the others stay").isTrue();
        alice.disconnect();
    }

    @Test
    void aRemovedGrantTakesAwayTheSubscriptionsItAllowed() throws Exception {
        Mqtt5BlockingClient reader = login("reader", "alice", "wonderland", true);
        reader.subscribeWith().topicFilter("news/#").qos(MqttQos.AT_LEAST_ONCE).send();
        reader.subscribeWith().topicFilter("users/alice/#").qos(MqttQos.AT_LEAST_ONCE).send();
        rewrite(acl, "all readwrite users/%u/#");
        await().atMost(Duration.ofSeconds(15)).until(() -> !reader.getState().isConnected());
        assertThat(broker.metrics().refusedCount(Refusal.SUBSCRIPTION_REVOKED)).isEqualTo(1);

        // Back with its session: the grant that remains still works, the removed one is gone from the session.
        Mqtt5BlockingClient again = MqttClient.builder().useMqttVersion5().identifier("reader")
                .serverHost("127.0.0.1").serverPort(broker.address("locked").getPort()).buildBlocking();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = again.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(again.connectWith().cleanStart(false).sessionExpiryInterval(3600).simpleAuth()
                    .username("alice").password("wonderland".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .send().isSessionPresent()).isTrue();
            Mqtt5BlockingClient writer = login("writer", "bob", "builder", false);
            rewrite(acl, "all readwrite users/%u/#\nuser:bob write news/#");
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> writer.publishWith()
                    .topic("news/today")
                    .qos(MqttQos.AT_LEAST_ONCE).send().getError().isEmpty());
            Mqtt5BlockingClient alice2 = login("alice2", "alice", "wonderland", false);
            alice2.publishWith().topic("users/alice/mail").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send();
            assertThat(in.receive(10, TimeUnit.SECONDS)).map(p -> p.getTopic().toString())
                    .contains("users/alice/mail");
            assertThat(in.receive(500, TimeUnit.MILLISECONDS)).as("news/# was taken away").isEmpty();
            writer.disconnect();
            alice2.disconnect();
        }
        again.disconnect();
    }

    @Test
    void aFloodOfBadLoginsIsRefusedWithoutHashingWhileOthersStillGetIn() throws Exception {
        int port = broker.address("locked").getPort();
        // The attacker from 127.0.0.2: the first failure is checked, the rest within the delay are refused at once.
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            codes.add(connectFrom("127.0.0.2", port, "mallory-" + i, "alice", "guess-" + i));
        }
        assertThat(codes.get(0)).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(codes.subList(1, codes.size())).as("not even checked").containsOnly(ReasonCode.BANNED);
        assertThat(plugin.failures()).as("only the first was hashed and failed").isEqualTo(1);
        // Alice, from another address, is not held up.
        assertThat(connectFrom("127.0.0.3", port, "alice-laptop", "alice", "wonderland"))
                .isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    void loginsOfClientsThatLeftWhileQueuedAreNotHashed() throws Exception {
        int port = broker.address("locked").getPort();
        // Forty CONNECTs from forty addresses, each closed as soon as it is sent: a flood that costs the attacker
        // nothing. Two hashing threads take the first; by the time the others' turn comes their clients are gone.
        for (int i = 0; i < 40; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port,
                    InetAddress.getByName("127.0.1." + (i + 1)), 0)) {
                s.getOutputStream().write(RawClient.encode(new Connect(MqttVersion.V5, "gone-" + i, true, 60, "bob",
                        "wrong".getBytes(StandardCharsets.UTF_8), null, MqttProperties.EMPTY), MqttVersion.V5));
                s.setSoLinger(true, 0);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> plugin.failures() + abandoned() == 40);
        assertThat(abandoned()).as("skipped without hashing").isGreaterThanOrEqualTo(10);
        assertThat(connectFrom("127.0.0.3", port, "alice-laptop", "alice", "wonderland"))
                .isEqualTo(ReasonCode.SUCCESS);
    }

    private long abandoned() {
        return broker.sys().snapshot().entrySet().stream().filter(e -> e.getKey().endsWith("/logins/abandoned"))
                .mapToLong(e -> Long.parseLong(e.getValue())).sum();
    }

    /** A 5.0 CONNECT from {@code local}; the CONNACK's reason code. */
    private static int connectFrom(String local, int port, String id, String user, String password)
            throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(local), 0)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(RawClient.encode(new Connect(MqttVersion.V5, id, true, 60, user,
                    password.getBytes(StandardCharsets.UTF_8), null, MqttProperties.EMPTY), MqttVersion.V5));
            DataInputStream in = new DataInputStream(s.getInputStream());
            in.readUnsignedByte(); // CONNACK
            in.readUnsignedByte(); // remaining length (small)
            in.readUnsignedByte(); // flags
            return in.readUnsignedByte();
        }
    }
}
