package io.gannet.plugin.tls;

import io.gannet.spi.Plugin;
import io.gannet.spi.PluginConfigException;
import io.gannet.spi.PluginContext;
import io.gannet.spi.tls.TlsSettings;
import io.gannet.spi.tls.TlsSettings.ClientAuth;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;

/**
 * Certificates for {@code mqtts} and {@code wss} listeners. From PEM files ({@code certificate}, {@code private-key}) or a PKCS#12
 * keystore; client certificates checked against a PEM CA bundle ({@code ca}) when {@code client-auth} is
 * {@code optional} or {@code require}; TLS 1.3 and 1.2 only. The files are re-read when they change. With no
 * certificate configured, a self-signed one is generated into {@code self-signed-dir} on first start, with a loud
 * warning: fine for trying Gannet, not for devices in the field.
 */
public final class TlsPlugin implements Plugin {
    static final Set<String> KEYS = Set.of("certificate", "private-key", "keystore", "keystore-password", "ca",
            "client-auth", "protocols", "cipher-suites", "listeners", "self-signed-dir", "reload-interval-seconds");
    private static final Set<String> SAFE_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

    private volatile TlsSettings current;
    private Logger log;

    @Override
    public void start(PluginContext context) throws IOException, GeneralSecurityException {
        context.config().requireOnly(KEYS);
        log = context.logger();
        Source source = Source.of(context);
        List<String> listeners = context.config().strings("listeners");
        current = source.load(log);
        context.registerTlsProvider(listener -> listeners.isEmpty() || listeners.contains(listener)
                ? Optional.of(current) : Optional.empty());
        long reload = context.config().integer("reload-interval-seconds", 10, 0, 86_400);
        if (reload > 0) {
            context.scheduler().scheduleWithFixedDelay(() -> reloadIfChanged(source), reload, reload,
                    TimeUnit.SECONDS);
        }
    }

    private void reloadIfChanged(Source source) {
        if (!source.changed()) {
            return;
        }
        try {
            current = source.load(log);
            log.info("TLS certificates reloaded");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            log.error("Keeping the previous TLS certificates: the new files do not load: {}", e.toString());
        }
    }

    /** Where the certificates come from, and how to tell that they changed. */
    private record Source(Path certificate, Path privateKey, Path keystore, char[] keystorePassword, Path ca,
                          ClientAuth clientAuth, List<String> protocols, List<String> ciphers, List<Path> watched,
                          String[] stamp) {

        static Source of(PluginContext ctx) throws IOException, GeneralSecurityException {
            var cfg = ctx.config();
            ClientAuth clientAuth;
            try {
                clientAuth = ClientAuth.valueOf(cfg.string("client-auth", "none").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException("plugins." + ctx.name() + ".client-auth: '"
                        + cfg.string("client-auth", "") + "' is not a valid value; allowed: none, optional, require");
            }
            List<String> protocols = cfg.strings("protocols").isEmpty() ? List.of("TLSv1.3", "TLSv1.2")
                    : cfg.strings("protocols");
            for (String p : protocols) {
                if (!SAFE_PROTOCOLS.contains(p)) {
                    throw new PluginConfigException("plugins." + ctx.name() + ".protocols: '" + p + "' is not "
                            + "allowed; allowed: TLSv1.3, TLSv1.2 (older versions are broken)");
                }
            }
            Path cert = cfg.keys().contains("certificate") ? cfg.path("certificate", "") : null;
            Path key = cfg.keys().contains("private-key") ? cfg.path("private-key", "") : null;
            Path keystore = cfg.keys().contains("keystore") ? cfg.path("keystore", "") : null;
            Path ca = cfg.keys().contains("ca") ? cfg.path("ca", "") : null;
            if ((cert == null) != (key == null)) {
                throw new PluginConfigException("plugins." + ctx.name() + ": certificate and private-key go together");
            }
            if (clientAuth != ClientAuth.NONE && ca == null) {
                throw new PluginConfigException("plugins." + ctx.name() + ".ca: client-auth " + clientAuth
                        .name().toLowerCase(Locale.ROOT) + " needs a CA bundle to check client certificates against");
            }
            if (cert == null && keystore == null) {
                Path dir = cfg.path("self-signed-dir", "data/tls");
                cert = dir.resolve("self-signed.crt");
                key = dir.resolve("self-signed.key");
                if (!Files.exists(cert) || !Files.exists(key)) {
                    SelfSigned.generate(cert, key, "localhost");
                }
                ctx.logger().warn("*** No TLS certificate configured: using the SELF-SIGNED development certificate "
                        + "{}. Clients must trust it explicitly. Set plugins.{}.certificate and private-key (or "
                        + "keystore) before connecting real devices. ***", cert, ctx.name());
            }
            List<Path> watched = new ArrayList<>();
            for (Path p : new Path[] {cert, key, keystore, ca}) {
                if (p != null) {
                    watched.add(p);
                }
            }
            String[] stamp = {stamp(watched)};
            return new Source(cert, key, keystore, cfg.string("keystore-password", "").toCharArray(), ca, clientAuth,
                    List.copyOf(protocols), cfg.strings("cipher-suites"), List.copyOf(watched), stamp);
        }

        boolean changed() {
            String now = stamp(watched);
            boolean changed = !now.equals(stamp[0]);
            stamp[0] = now;
            return changed;
        }

        private static String stamp(List<Path> files) {
            StringBuilder sb = new StringBuilder();
            for (Path p : files) {
                try {
                    sb.append(Files.getLastModifiedTime(p).toMillis()).append(':').append(Files.size(p)).append(';');
                } catch (IOException e) {
                    sb.append("absent;");
                }
            }
            return sb.toString();
        }

        TlsSettings load(Logger log) throws IOException, GeneralSecurityException {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            char[] password;
            if (keystore != null) {
                password = keystorePassword;
                try (InputStream in = Files.newInputStream(keystore)) {
                    ks.load(in, password);
                }
            } else {
                password = new char[0];
                ks.load(null, null);
                List<X509Certificate> chain = Pem.certificates(certificate);
                PrivateKey privateKey = Pem.privateKey(privateKey());
                if (!KeyPairCheck.matches(privateKey, chain.get(0))) {
                    throw new GeneralSecurityException("the private key " + privateKey() + " is not the key of the "
                            + "certificate " + certificate);
                }
                ks.setKeyEntry("server", privateKey, password, chain.toArray(X509Certificate[]::new));
                log.info("TLS certificate: {} (valid until {})", chain.get(0).getSubjectX500Principal().getName(),
                        chain.get(0).getNotAfter().toInstant());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            TrustManagerFactory tmf = null;
            if (ca != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate c : Pem.certificates(ca)) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            return new TlsSettings(kmf, tmf, clientAuth, protocols, ciphers);
        }
    }
}
