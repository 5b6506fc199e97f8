package io.gannet.spi.tls;

import io.gannet.spi.Stable;
import java.util.Optional;

/**
 * Provides the TLS settings of listeners whose protocol is {@code mqtts} or {@code wss}. The broker asks for every new connection
 * and reuses its TLS engine setup as long as the same {@link TlsSettings} instance comes back, so the call must be
 * cheap: return the current instance, and replace it when certificates change.
 *
 * <p>Called on network event loops: never block.
 *
 * @since 1.0
 */
@Stable
@FunctionalInterface
public interface TlsProvider {
    /** The settings for {@code listenerName}, or empty when this provider does not serve that listener. */
    Optional<TlsSettings> settings(String listenerName);
}
