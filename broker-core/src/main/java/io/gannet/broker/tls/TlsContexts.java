package io.gannet.broker.tls;

import io.gannet.spi.tls.TlsProvider;
import io.gannet.spi.tls.TlsSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS engine setup ({@link SslContext}) of each {@code mqtts} listener, built from what TLS plugins provide:
 * OpenSSL through BoringSSL when it loads, the JDK's TLS otherwise. A context is rebuilt only when a provider hands
 * out a new {@link TlsSettings} instance (its certificates changed), so new connections pick up a reloaded
 * certificate and existing ones keep theirs. Safe to call from every event loop.
 */
public final class TlsContexts {
    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    private record Built(TlsSettings settings, SslContext context) {
    }

    private final List<TlsProvider> providers;
    private final ConcurrentHashMap<String, Built> built = new ConcurrentHashMap<>();
    private final SslProvider engine = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    public TlsContexts(List<TlsProvider> providers) {
        this.providers = List.copyOf(providers);
        log.info("TLS engine: {}", engine == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")"
                : "JDK (OpenSSL unavailable: " + OpenSsl.unavailabilityCause() + ")");
    }

    /** The current context for {@code listener}, or {@code null} when no provider serves it. */
    public SslContext contextFor(String listener) throws SSLException {
        TlsSettings settings = settings(listener);
        if (settings == null) {
            return null;
        }
        Built current = built.get(listener);
        if (current != null && current.settings() == settings) {
            return current.context();
        }
        SslContext context = build(settings);
        built.put(listener, new Built(settings, context));
        if (current != null) {
            log.info("TLS settings of listener '{}' changed; new connections use them", listener);
        }
        return context;
    }

    private TlsSettings settings(String listener) {
        for (TlsProvider p : providers) {
            Optional<TlsSettings> s = p.settings(listener);
            if (s.isPresent()) {
                return s.get();
            }
        }
        return null;
    }

    /** TLS 1.3's suites, then TLS 1.2's with ECDHE and an AEAD cipher, the strongest first. */
    static final List<String> SAFE_CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private SslContext build(TlsSettings s) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(s.keyManagerFactory()).sslProvider(engine)
                .protocols(s.protocols().isEmpty() ? List.of("TLSv1.3", "TLSv1.2") : s.protocols())
                .clientAuth(switch (s.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRE -> ClientAuth.REQUIRE;
                });
        // Without a configured list, forward secrecy and authenticated encryption only: the engines' own defaults
        // still offer RSA key exchange and CBC suites for TLS 1.2. Suites an engine lacks are left out.
        b.ciphers(s.cipherSuites().isEmpty() ? SAFE_CIPHER_SUITES : s.cipherSuites(),
                SupportedCipherSuiteFilter.INSTANCE);
        if (s.trustManagerFactory() != null) {
            b.trustManager(s.trustManagerFactory());
        }
        return b.build();
    }
}
