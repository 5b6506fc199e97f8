package io.gannet.spi.auth;

import io.gannet.spi.ProtocolVersion;
import io.gannet.spi.Stable;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a client presented at CONNECT.
 *
 * @param clientId          the client identifier (the one the broker assigned, for an empty one)
 * @param username          the user name, when the client sent one
 * @param password          the password bytes, when the client sent them; never log them
 * @param certificateChain  the client's TLS certificate chain, leaf first; empty without mutual TLS
 * @param listenerName      the name of the listener the client connected to, as in {@code gannet.yaml}
 * @param remoteAddress     where the connection comes from
 * @param protocolVersion   the MQTT version of the client
 * @since 1.0
 */
@Stable
public record AuthenticationRequest(String clientId, Optional<String> username, Optional<byte[]> password,
                                    List<X509Certificate> certificateChain, String listenerName,
                                    InetSocketAddress remoteAddress, ProtocolVersion protocolVersion) {
    public AuthenticationRequest {
        certificateChain = List.copyOf(certificateChain);
    }

    @Override
    public String toString() {
        return "AuthenticationRequest[clientId=" + clientId + ", username=" + username.orElse("")
                + ", listener=" + listenerName + ", remote=" + remoteAddress + "]"; // never the password
    }
}
