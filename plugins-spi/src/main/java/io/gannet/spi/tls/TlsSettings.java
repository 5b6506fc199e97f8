package io.gannet.spi.tls;

import io.gannet.spi.Stable;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a TLS listener needs, in JDK types: the broker builds its TLS engine from this (OpenSSL through BoringSSL
 * when it loads, the JDK's TLS otherwise). A provider hands out a new instance when its certificates change; the
 * broker then uses it for new connections.
 *
 * @param keyManagerFactory   the server's certificate chain and private key
 * @param trustManagerFactory the certificate authorities client certificates are checked against; {@code null}
 *                            when clients are not asked for certificates
 * @param clientAuth          whether clients present certificates
 * @param protocols           the TLS versions allowed, such as {@code TLSv1.3} and {@code TLSv1.2}
 * @param cipherSuites        the cipher suites allowed; empty for the broker's defaults: TLS 1.3's suites, and for
 *                            TLS 1.2 only ECDHE key exchange with AES-GCM or ChaCha20-Poly1305
 * @since 1.0
 */
@Stable
public record TlsSettings(KeyManagerFactory keyManagerFactory, TrustManagerFactory trustManagerFactory,
                          ClientAuth clientAuth, List<String> protocols, List<String> cipherSuites) {

    /** Whether and how clients authenticate with certificates (mutual TLS). */
    public enum ClientAuth {
        /** Clients are not asked for a certificate. */
        NONE,
        /** Clients are asked; one that presents none may still connect. */
        OPTIONAL,
        /** Clients must present a certificate that the trust manager accepts. */
        REQUIRE
    }

    public TlsSettings {
        Objects.requireNonNull(keyManagerFactory, "keyManagerFactory");
        Objects.requireNonNull(clientAuth, "clientAuth");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
        if (clientAuth != ClientAuth.NONE && trustManagerFactory == null) {
            throw new IllegalArgumentException("client certificates need a trust manager (a CA bundle)");
        }
    }
}
