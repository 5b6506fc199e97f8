package io.gannet.plugin.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.plugin.auth.AuthPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices authenticate with certificates alone: mutual TLS, and the certificate's CN as the user name. */
class CertificateAsUsernameTest {
    @TempDir
    Path dir;
    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theCertificatesCommonNameIsTheUserName() throws Exception {
        TestPki pki = new TestPki();
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Path ca = dir.resolve("ca.crt");
        TestPki.writePem(pki.server("broker"), pki.ca.certificate(), cert, key);
        Pem.write(ca, pki.ca.certificate());
        Path acl = dir.resolve("acl");
        Files.writeString(acl, "all readwrite devices/%u/#\n");
        Map<String, Object> tls = new LinkedHashMap<>(Map.of("certificate", cert.toString(), "private-key",
                key.toString(), "ca", ca.toString(), "client-auth", "require"));
        Map<String, Object> auth = new LinkedHashMap<>(Map.of("password-file", dir.resolve("none").toString(),
                "acl-file", acl.toString(), "certificate-username", "cn"));
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", Map.of("TlsPlugin", tls, "AuthPlugin", auth)))
                .withListeners(List.of(new ListenerConfig("secure", "127.0.0.1", 0, "mqtts")));
        broker = new Broker(config).embed(new TlsPlugin()).embed(new AuthPlugin()).start();

        TestPki.Issued device = pki.client("sensor-42");
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("any-id").serverHost("localhost")
                .serverPort(broker.address("secure").getPort()).sslConfig()
                .trustManagerFactory(trust(pki.ca.certificate())).keyManagerFactory(keys(device)).applySslConfig()
                .buildBlocking();
        c.connect(); // no user name, no password: the certificate is the credential
        c.publishWith().topic("devices/sensor-42/temp").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
        assertThatThrownBy(() -> c.publishWith().topic("devices/sensor-43/temp").qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[1]).send()).as("the ACL's %u is the certificate's CN")
                .isInstanceOf(Mqtt5PubAckException.class);
        c.disconnect();
    }

    private static TrustManagerFactory trust(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }

    private static KeyManagerFactory keys(TestPki.Issued issued) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("me", issued.key(), new char[0], new X509Certificate[] {issued.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return kmf;
    }
}
