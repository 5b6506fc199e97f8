package io.gannet.spi.auth;

import io.gannet.spi.ProtocolVersion;
import io.gannet.spi.Stable;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

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
 * @param connectionOpen    whether the client's connection is still open, asked at any time from any thread: an
 *                          authenticator that queues costly work (hashing a password, a remote call) can skip a
 *                          client that has gone meanwhile, as a flood of CONNECTs that close at once leaves behind.
 *                          Since 1.3; always true for requests made with the 1.0 constructor.
 * @since 1.0
 */
@Stable
public record AuthenticationRequest(String clientId, Optional<String> username, Optional<byte[]> password,
                                    List<X509Certificate> certificateChain, String listenerName,
                                    InetSocketAddress remoteAddress, ProtocolVersion protocolVersion,
                                    BooleanSupplier connectionOpen) {
    public AuthenticationRequest {
        certificateChain = List.copyOf(certificateChain);
        Objects.requireNonNull(connectionOpen, "connectionOpen");
    }

    /** A request as SPI 1.0 to 1.2 made it, for a connection taken to be open. */
    public AuthenticationRequest(String clientId, Optional<String> username, Optional<byte[]> password,
                                 List<X509Certificate> certificateChain, String listenerName,
                                 InetSocketAddress remoteAddress, ProtocolVersion protocolVersion) {
        this(clientId, username, password, certificateChain, listenerName, remoteAddress, protocolVersion,
                () -> true);
    }

    /** Whether the client's connection is still open (see {@link #connectionOpen()}). @since 1.3 */
    public boolean isConnectionOpen() {
        return connectionOpen.getAsBoolean();
    }

    @Override
    public String toString() {
        return "AuthenticationRequest[clientId=" + clientId + ", username=" + username.orElse("")
                + ", listener=" + listenerName + ", remote=" + remoteAddress + "]"; // never the password
    }
}
