package io.gannet.spi;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Who a connected client is, as hooks see it.
 *
 * @param clientId        the client identifier
 * @param username        the user name it authenticated with, if any
 * @param listenerName    the listener it connected to, as named in {@code gannet.yaml}; {@code null} for the
 *                        publisher of a will published after a broker restart, whose connection is gone
 * @param remoteAddress   where the connection comes from; {@code null} as for {@code listenerName}
 * @param protocolVersion its MQTT version; {@code null} as for {@code listenerName}
 * @since 1.0
 */
@Stable
public record ClientInfo(String clientId, Optional<String> username, String listenerName,
                         InetSocketAddress remoteAddress, ProtocolVersion protocolVersion) {
}
