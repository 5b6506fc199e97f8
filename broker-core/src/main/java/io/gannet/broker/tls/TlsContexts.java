package io.gannet.broker.tls;

import io.gannet.spi.tls.TlsProvider;
import io.gannet.spi.tls.TlsSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
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

    private SslContext build(TlsSettings s) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forServer(s.keyManagerFactory()).sslProvider(engine)
                .protocols(s.protocols().isEmpty() ? List.of("TLSv1.3", "TLSv1.2") : s.protocols())
                .clientAuth(switch (s.clientAuth()) {
                    case NONE -> ClientAuth.NONE;
                    case OPTIONAL -> ClientAuth.OPTIONAL;
                    case REQUIRE -> ClientAuth.REQUIRE;
                });
        if (!s.cipherSuites().isEmpty()) {
            b.ciphers(s.cipherSuites());
        }
        if (s.trustManagerFactory() != null) {
            b.trustManager(s.trustManagerFactory());
        }
        return b.build();
    }
}
