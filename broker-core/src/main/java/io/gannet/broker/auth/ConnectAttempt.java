package io.gannet.broker.auth;

import io.gannet.broker.codec.MqttVersion;
import java.net.SocketAddress;

/**
 * What an authenticator gets to decide on: the credentials of a CONNECT and where it came from.
 *
 * @param password     the password bytes, or {@code null}; never logged
 * @param certificates the client's TLS certificate chain, leaf first; empty without mutual TLS
 */
public record ConnectAttempt(String clientId, String username, byte[] password, MqttVersion version,
                             String listenerName, SocketAddress remoteAddress,
                             java.util.List<java.security.cert.X509Certificate> certificates) {
    @Override
    public String toString() {
        return "ConnectAttempt[clientId=" + clientId + ", username=" + username + ", listener=" + listenerName
                + ", remote=" + remoteAddress + "]";
    }
}
