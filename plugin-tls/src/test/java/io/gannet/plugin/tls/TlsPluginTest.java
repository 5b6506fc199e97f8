package io.gannet.plugin.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.gannet.broker.Broker;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.AuthenticationResult;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes against an mqtts listener served by the TLS plugin. */
class TlsPluginTest {
    @TempDir
    Path dir;
    private TestPki pki;
    private Broker broker;
    private Path cert;
    private Path key;
    private Path ca;

    /** Records the certificate chains clients present, and lets everyone in. */
    static final class CertificateWitness implements Plugin {
        final List<List<X509Certificate>> seen = new CopyOnWriteArrayList<>();

        @Override
        public void start(PluginContext ctx) {
            ctx.registerAuthenticator(req -> {
                seen.add(req.certificateChain());
                return CompletableFuture.completedFuture(AuthenticationResult.success());
            });
        }
    }

    private final CertificateWitness witness = new CertificateWitness();

    @BeforeEach
    void certificates() throws Exception {
        pki = new TestPki();
        cert = dir.resolve("server.crt");
        key = dir.resolve("server.key");
        ca = dir.resolve("ca.crt");
        TestPki.writePem(pki.server("first"), pki.ca.certificate(), cert, key);
        Pem.write(ca, pki.ca.certificate());
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void start(Map<String, Object> tls) throws Exception {
        start(tls, "mqtts");
    }

    private void start(Map<String, Object> tls, String protocol) throws Exception {
        Map<String, Object> plugins = new LinkedHashMap<>();
        plugins.put("TlsPlugin", tls);
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", plugins, "sys", Map.of("interval-seconds", 0)))
                .withListeners(List.of(new ListenerConfig("secure", "127.0.0.1", 0, protocol)));
        broker = new Broker(config).embed(new TlsPlugin()).embed(witness).start();
    }

    private Map<String, Object> pemConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("certificate", cert.toString());
        m.put("private-key", key.toString());
        m.put("reload-interval-seconds", 1);
        return m;
    }

    private int port() {
        return broker.address("secure").getPort();
    }

    /** Handshakes with a JDK client, sends CONNECT, returns the CONNACK return code; throws on a TLS failure. */
    private int connect(SSLContext ctx, String... protocols) throws Exception {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            if (protocols.length > 0) {
                s.setEnabledProtocols(protocols);
            }
            s.startHandshake();
            s.getOutputStream().write(MalformedCorpus.connect(MqttVersion.V3_1_1, "tls-" + System.nanoTime()));
            InputStream in = s.getInputStream();
            byte[] ack = in.readNBytes(4);
            if (ack.length < 4) {
                throw new SSLException("closed before CONNACK");
            }
            return ack[3];
        }
    }

    private String serverCn() throws Exception {
        try (SSLSocket s = (SSLSocket) TestPki.clientContext(pki.ca.certificate(), null).getSocketFactory()
                .createSocket("127.0.0.1", port())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    private TrustManagerFactory trustingTheTestCa() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca.certificate());
        tmf.init(trust);
        return tmf;
    }

    @Test
    void aRealClientConnectsOverTls() throws Exception {
        start(pemConfig());
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("tls").serverHost("localhost")
                .serverPort(port()).sslConfig().trustManagerFactory(trustingTheTestCa()).applySslConfig()
                .buildBlocking();
        roundTrip(c);
    }

    @Test
    void aRealClientConnectsOverSecureWebSocket() throws Exception {
        start(pemConfig(), "wss");
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("wss").serverHost("localhost")
                .serverPort(port()).sslConfig().trustManagerFactory(trustingTheTestCa()).applySslConfig()
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
        roundTrip(c);
    }

    private static void roundTrip(Mqtt5BlockingClient c) throws Exception {
        c.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("secure/#").qos(MqttQos.AT_LEAST_ONCE).send();
            c.publishWith().topic("secure/x").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("hello".getBytes(StandardCharsets.UTF_8)).send();
            assertThat(new String(in.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes(),
                    StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        c.disconnect();
    }

    @Test
    void tls13IsNegotiatedAndOnlyConfiguredVersionsAreAccepted() throws Exception {
        Map<String, Object> config = pemConfig();
        config.put("protocols", List.of("TLSv1.3"));
        start(config);
        SSLContext client = TestPki.clientContext(pki.ca.certificate(), null);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port())) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        assertThatThrownBy(() -> connect(client, "TLSv1.2")).isInstanceOf(SSLException.class);
    }

    @Test
    void oldProtocolsCannotBeConfigured() {
        Map<String, Object> config = pemConfig();
        config.put("protocols", List.of("TLSv1.1"));
        assertThatThrownBy(() -> start(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no TLS plugin provides");
        assertThat(broker).isNull();
    }

    @Test
    void mutualTlsRefusesClientsWithoutAValidCertificate() throws Exception {
        Map<String, Object> config = pemConfig();
        config.put("client-auth", "require");
        config.put("ca", ca.toString());
        start(config);
        assertThat(connect(TestPki.clientContext(pki.ca.certificate(), pki.client("device-7")))).isZero();
        assertThat(witness.seen).last().satisfies(chain -> assertThat(chain.get(0).getSubjectX500Principal()
                .getName()).isEqualTo("CN=device-7"));
        assertThatThrownBy(() -> connect(TestPki.clientContext(pki.ca.certificate(), null)))
                .as("no certificate").isInstanceOf(Exception.class);
        TestPki stranger = new TestPki();
        assertThatThrownBy(() -> connect(TestPki.clientContext(pki.ca.certificate(), stranger.client("intruder"))))
                .as("certificate from another CA").isInstanceOf(Exception.class);
    }

    @Test
    void changedCertificatesAreUsedForNewConnections() throws Exception {
        start(pemConfig());
        assertThat(serverCn()).isEqualTo("CN=first");
        TestPki.writePem(pki.server("second"), pki.ca.certificate(), cert, key);
        await().atMost(Duration.ofSeconds(20)).until(() -> serverCn().equals("CN=second"));
    }

    @Test
    void withoutACertificateASelfSignedOneIsGenerated() throws Exception {
        start(Map.of("self-signed-dir", dir.resolve("generated").toString()));
        Path generated = dir.resolve("generated/self-signed.crt");
        assertThat(generated).exists();
        X509Certificate selfSigned = Pem.certificates(generated).get(0);
        assertThat(connect(TestPki.clientContext(selfSigned, null))).isZero();
    }

    @Test
    void anMqttsListenerWithoutATlsPluginStopsStartUp() {
        GannetConfig config = ConfigLoader.fromMap(Map.of())
                .withListeners(List.of(new ListenerConfig("secure", "127.0.0.1", 0, "mqtts")));
        assertThatThrownBy(() -> new Broker(config).start()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("listener 'secure' uses protocol mqtts");
    }

    @Test
    void aRenewedCertificateWithoutItsKeyIsRefusedAndTheOldOneKept() throws Exception {
        start(pemConfig());
        assertThat(serverCn()).isEqualTo("CN=first");
        // The certificate of "second" beside the key of "first", as a half-done renewal leaves them.
        TestPki.Issued second = pki.server("second");
        Pem.write(cert, second.certificate(), pki.ca.certificate());
        TestPki.Issued third = pki.server("third");
        TestPki.writePem(third, pki.ca.certificate(), dir.resolve("third.crt"), dir.resolve("third.key"));
        // Give the reload (every second) time to see and refuse the pair, then put a matching one in place.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> serverCn().equals("CN=first"));
        java.nio.file.Files.copy(dir.resolve("third.key"), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(dir.resolve("third.crt"), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        await().atMost(Duration.ofSeconds(20)).until(() -> serverCn().equals("CN=third"));
    }

    @Test
    void withoutConfiguredSuitesOnlyForwardSecretAeadSuitesAreOffered() throws Exception {
        start(pemConfig());
        SSLContext client = TestPki.clientContext(pki.ca.certificate(), null);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_RSA_WITH_AES_128_GCM_SHA256"});
            assertThatThrownBy(s::startHandshake).as("RSA key exchange and CBC are refused")
                    .isInstanceOf(SSLException.class);
        }
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.startHandshake();
            assertThat(s.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").containsAnyOf("_GCM_", "CHACHA20");
        }
    }

    @Test
    void theGeneratedPrivateKeyIsReadableByItsOwnerOnly() throws Exception {
        start(Map.of("self-signed-dir", dir.resolve("generated").toString()));
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("generated/self-signed.key")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
}
