package io.gannet.broker.config;

import java.util.List;

/**
 * One network listener.
 *
 * @param name                 a unique name, used in logs and by plugins to tell listeners apart
 * @param bind                 the address to bind, such as 127.0.0.1 or 0.0.0.0
 * @param port                 the TCP port; 0 picks a free port (for tests)
 * @param protocol             the protocol spoken on the port; {@code mqtt} is MQTT over plain TCP
 * @param maxConnections       the most connections open at once
 * @param connectionsPerSecond the most connections accepted per second
 * @param allowedOrigins       ws and wss: the browser origins whose pages may connect, normalized ({@link
 *                             WebOrigins}); empty refuses every request that carries an Origin
 */
public record ListenerConfig(String name, String bind, int port, String protocol, int maxConnections,
                             int connectionsPerSecond, List<String> allowedOrigins) {
    public ListenerConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** A listener with the default connection limits and no browser origin allowed. */
    public ListenerConfig(String name, String bind, int port, String protocol) {
        this(name, bind, port, protocol, ConfigSchema.LISTENER_MAX_CONNECTIONS.defaultValue(),
                ConfigSchema.LISTENER_CONNECTIONS_PER_SECOND.defaultValue(), List.of());
    }

    /** This listener, with the given origins allowed (ws and wss). */
    public ListenerConfig withAllowedOrigins(List<String> origins) {
        return new ListenerConfig(name, bind, port, protocol, maxConnections, connectionsPerSecond,
                origins.stream().map(WebOrigins::normalize).toList());
    }

    /** Whether MQTT runs over WebSocket here. */
    public boolean isWebSocket() {
        return "ws".equals(protocol) || "wss".equals(protocol);
    }
}
