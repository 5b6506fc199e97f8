package io.gannet.broker.config;

/**
 * One network listener.
 *
 * @param name     a unique name, used in logs and (later) by plugins to tell listeners apart
 * @param bind     the address to bind, such as 127.0.0.1 or 0.0.0.0
 * @param port     the TCP port; 0 picks a free port (for tests)
 * @param protocol the protocol spoken on the port; {@code mqtt} is MQTT over plain TCP
 */
public record ListenerConfig(String name, String bind, int port, String protocol, int maxConnections,
                             int connectionsPerSecond) {
    /** A listener with the default connection limits. */
    public ListenerConfig(String name, String bind, int port, String protocol) {
        this(name, bind, port, protocol, ConfigSchema.LISTENER_MAX_CONNECTIONS.defaultValue(),
                ConfigSchema.LISTENER_CONNECTIONS_PER_SECOND.defaultValue());
    }
}
