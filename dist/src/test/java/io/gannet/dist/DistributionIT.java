package io.gannet.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the distribution as a user would: unpack the tarball, run {@code bin/gannet} from another working
 * directory with a relative config path, connect, publish and subscribe, then SIGTERM and expect exit 0.
 */
class DistributionIT {
    @TempDir
    Path tmp;

    @Test
    void unpackStartServeAndStopOnSigterm() throws Exception {
        Path tarball = Path.of(System.getProperty("gannet.dist.tarball"));
        String version = System.getProperty("gannet.dist.version");
        assertThat(tarball).exists();
        run(List.of("tar", "xzf", tarball.toString(), "-C", tmp.toString()), tmp);
        Path home = tmp.resolve("gannet-" + version);
        for (String dir : List.of("bin", "conf", "lib", "plugins", "data", "log")) {
            assertThat(home.resolve(dir)).isDirectory();
        }
        assertThat(home.resolve("bin/gannet")).isExecutable();
        // Passwords, keys and access rules: not for other users of the machine.
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                home.resolve("conf")))).isEqualTo("rwxr-x---");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                home.resolve("conf/acl")))).isEqualTo("rw-r-----");

        // The shipped config, with the listeners moved to free ports so that the test never needs 1883 or 8883.
        int port = freePorts(home)[0];
        Path workDir = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.copy(home.resolve("conf/gannet.yaml"), workDir.resolve("test.yaml"));

        Path out = tmp.resolve("broker.out");
        Process broker = new ProcessBuilder(home.resolve("bin/gannet").toString(), "--config", "test.yaml")
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            awaitStarted(out);
            Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("dist")
                    .serverHost("127.0.0.1").serverPort(port).buildBlocking();
            client.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes in = client.publishes(MqttGlobalPublishFilter.ALL)) {
                client.subscribeWith().topicFilter("dist/#").qos(MqttQos.AT_LEAST_ONCE).send();
                client.publishWith().topic("dist/hello").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("world".getBytes(StandardCharsets.UTF_8)).send();
                Mqtt5Publish m = in.receive(10, TimeUnit.SECONDS).orElseThrow();
                assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("world");
            }
            client.disconnect();
        } finally {
            broker.destroy(); // SIGTERM
            assertThat(broker.waitFor(20, TimeUnit.SECONDS)).as("stopped within 20 s").isTrue();
        }
        String log = Files.readString(out);
        assertThat(broker.exitValue()).as(log).isZero();
        assertThat(log).contains("Shutting down").contains("Gannet stopped").doesNotContain("ERROR")
                .contains("bin/gannet-passwd") // how to add a first user
                .contains("SELF-SIGNED") // the loud line about the generated certificate
                .contains("Kafka bridge: no mapping configured"); // shipped enabled, idle until configured
        assertThat(home.resolve("data/tls/self-signed.crt")).exists();
        assertThat(home.resolve("log/gannet.log")).as("logs land in the installation's log/ directory").exists();
    }

    /**
     * Waits for the start line; on a machine busy with the rest of the build a start can take long, and if it never
     * comes, the failure shows the broker's output.
     */
    private static void awaitStarted(Path out) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Files.readString(out))
                .contains("Gannet started"));
    }

    @Test
    void badConfigStopsStartupNamingTheKey() throws Exception {
        Path tarball = Path.of(System.getProperty("gannet.dist.tarball"));
        run(List.of("tar", "xzf", tarball.toString(), "-C", tmp.toString()), tmp);
        Path home = tmp.resolve("gannet-" + System.getProperty("gannet.dist.version"));
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "mqtt:\n  inflight-window: -1\n");
        Process p = new ProcessBuilder(home.resolve("bin/gannet").toString(), "--config", bad.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(output).contains("mqtt.inflight-window").contains("an integer from 1 to 65535");
    }

    /**
     * {@code bin/gannet cluster add} is a command, not a broker: with the shipped configuration (no cluster) it says
     * so and exits 1, and a malformed call gets its usage and exit 2; neither starts a broker.
     */
    @Test
    void theClusterCommandChecksItsArgumentsAndConfiguration() throws Exception {
        Path tarball = Path.of(System.getProperty("gannet.dist.tarball"));
        run(List.of("tar", "xzf", tarball.toString(), "-C", tmp.toString()), tmp);
        Path home = tmp.resolve("gannet-" + System.getProperty("gannet.dist.version"));
        String gannet = home.resolve("bin/gannet").toString();

        Process p = new ProcessBuilder(gannet, "cluster", "add", "n4", "127.0.0.1", "7886", "7896")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("cluster.enabled: false").doesNotContain("Gannet started");

        p = new ProcessBuilder(gannet, "cluster", "add", "n4", "127.0.0.1", "no-port", "7896")
                .redirectErrorStream(true).start();
        output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("port 'no-port' is not a port").contains("usage: gannet");
    }

    @Test
    void aPluginJarInPluginsIsLoaded() throws Exception {
        Path tarball = Path.of(System.getProperty("gannet.dist.tarball"));
        run(List.of("tar", "xzf", tarball.toString(), "-C", tmp.toString()), tmp);
        Path home = tmp.resolve("gannet-" + System.getProperty("gannet.dist.version"));
        Path jar = Path.of(System.getProperty("gannet.example.plugin"));
        Files.copy(jar, home.resolve("plugins").resolve(jar.getFileName()));
        Files.writeString(home.resolve("plugins/auth/DISABLED"), ""); // the example decides alone here
        int port = freePorts(home)[0];
        Files.writeString(home.resolve("conf/gannet.yaml"), Files.readString(home.resolve("conf/gannet.yaml"))
                + "  topic-acl:\n    prefix: t\n    admins: [alice]\n");
        Path out = tmp.resolve("broker.out");
        Process broker = new ProcessBuilder(home.resolve("bin/gannet").toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            awaitStarted(out);
            assertThat(Files.readString(out)).contains("Plugin 'topic-acl' started");
            Mqtt5BlockingClient bob = MqttClient.builder().useMqttVersion5().identifier("bob")
                    .serverHost("127.0.0.1").serverPort(port).buildBlocking();
            bob.connectWith().simpleAuth().username("bob").applySimpleAuth().send();
            bob.publishWith().topic("t/bob/x").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            assertThatThrownBy(() -> bob.subscribeWith().topicFilter("$SYS/#").send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
            bob.disconnect();
        } finally {
            broker.destroy();
            assertThat(broker.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(broker.exitValue()).as(Files.readString(out)).isZero();
    }

    @Test
    void theTlsListenerRequiresAUser() throws Exception {
        Path tarball = Path.of(System.getProperty("gannet.dist.tarball"));
        run(List.of("tar", "xzf", tarball.toString(), "-C", tmp.toString()), tmp);
        Path home = tmp.resolve("gannet-" + System.getProperty("gannet.dist.version"));
        assertThat(home.resolve("bin/gannet-passwd")).isExecutable();
        assertThat(home.resolve("plugins/tls")).isDirectoryContaining(p -> p.getFileName().toString()
                .startsWith("bcprov"));
        run(List.of(home.resolve("bin/gannet-passwd").toString(), "-b", "conf/passwords", "alice", "pw"), home);
        int[] ports = freePorts(home);
        Path out = tmp.resolve("broker.out");
        Process broker = new ProcessBuilder(home.resolve("bin/gannet").toString()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            awaitStarted(out);
            assertThat(Files.readString(out)).contains("Plugin 'auth' started").contains("Plugin 'tls' started");
            // Trust the development certificate the TLS plugin generated on this first start.
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (var in = Files.newInputStream(home.resolve("data/tls/self-signed.crt"))) {
                trust.setCertificateEntry("gannet", java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            Mqtt5BlockingClient anonymous = MqttClient.builder().useMqttVersion5().identifier("anon")
                    .serverHost("localhost").serverPort(ports[1]).sslConfig().trustManagerFactory(tmf)
                    .applySslConfig().buildBlocking();
            assertThatThrownBy(anonymous::connect).hasMessageContaining("NOT_AUTHORIZED");
            Mqtt5BlockingClient alice = MqttClient.builder().useMqttVersion5().identifier("alice")
                    .serverHost("localhost").serverPort(ports[1]).sslConfig().trustManagerFactory(tmf)
                    .applySslConfig().buildBlocking();
            alice.connectWith().simpleAuth().username("alice").password("pw".getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
            alice.publishWith().topic("users/alice/hello").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            alice.disconnect();
            // The local plain port stays open to anonymous clients.
            Mqtt5BlockingClient local = MqttClient.builder().useMqttVersion5().identifier("local")
                    .serverHost("127.0.0.1").serverPort(ports[0]).buildBlocking();
            local.connect();
            local.publishWith().topic("any/topic").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            local.disconnect();
            // WebSocket: the local ws port is anonymous like 1883; wss, like 8883, wants a user.
            Mqtt5BlockingClient browser = MqttClient.builder().useMqttVersion5().identifier("browser")
                    .serverHost("127.0.0.1").serverPort(ports[2]).webSocketConfig().serverPath("mqtt")
                    .applyWebSocketConfig().buildBlocking();
            browser.connect();
            browser.publishWith().topic("any/topic").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            browser.disconnect();
            Mqtt5BlockingClient secureBrowser = MqttClient.builder().useMqttVersion5().identifier("secure-browser")
                    .serverHost("localhost").serverPort(ports[3]).sslConfig().trustManagerFactory(tmf)
                    .applySslConfig().webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
            assertThatThrownBy(secureBrowser::connect).hasMessageContaining("NOT_AUTHORIZED");
            secureBrowser.connectWith().simpleAuth().username("alice").password("pw".getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
            secureBrowser.disconnect();
        } finally {
            broker.destroy();
            assertThat(broker.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(broker.exitValue()).as(Files.readString(out)).isZero();
    }

    /** The shipped configuration with every listener moved to a free port; returns {mqtt, mqtts, ws, wss}. */
    private static int[] freePorts(Path home) throws IOException {
        int[] ports = new int[4];
        for (int i = 0; i < ports.length; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports[i] = s.getLocalPort();
            }
        }
        Path conf = home.resolve("conf/gannet.yaml");
        Files.writeString(conf, Files.readString(conf).replace("port: 1883", "port: " + ports[0])
                .replace("port: 8883", "port: " + ports[1]).replace("port: 8083", "port: " + ports[2])
                .replace("port: 8084", "port: " + ports[3]).replace("bind: 0.0.0.0", "bind: 127.0.0.1"));
        return ports;
    }

    private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
    }
}
