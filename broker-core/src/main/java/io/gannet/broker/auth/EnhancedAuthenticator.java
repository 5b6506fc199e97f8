package io.gannet.broker.auth;

/**
 * MQTT 5.0 enhanced authentication (section 4.12): challenge and response through AUTH packets, for methods such
 * as SCRAM or Kerberos. Plugins provide it through the SPI's
 * {@code io.gannet.spi.auth.EnhancedAuthenticator}; without one, every authentication method a
 * client asks for is refused with CONNACK 0x8C (Bad authentication method).
 */
public interface EnhancedAuthenticator {
    /** The broker's answer when no plugin provides enhanced authentication. */
    EnhancedAuthenticator NONE = (method, attempt) -> null;

    /**
     * Starts an exchange for {@code method}, at CONNECT or at re-authentication. Called on the connection's event
     * loop.
     *
     * @return the exchange, or {@code null} when the method is not supported
     */
    AuthExchange start(String method, ConnectAttempt attempt);
}
