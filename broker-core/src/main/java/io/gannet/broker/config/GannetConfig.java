package io.gannet.broker.config;

import java.util.List;

/**
 * The whole broker configuration, validated. Built by {@link ConfigLoader}; passed to the parts that need it.
 *
 * @param sysIntervalSeconds how often $SYS topics are published; 0 disables them
 * @param persistence        what is kept on disk, read by the store module that keeps it
 * @param cluster            the nodes this broker works with, read by the cluster module
 */
public record GannetConfig(List<ListenerConfig> listeners, MqttConfig mqtt, SessionConfig sessions,
                           NetworkConfig network, int sysIntervalSeconds, PersistenceConfig persistence,
                           ClusterConfig cluster, PluginsConfig plugins) {

    public GannetConfig {
        listeners = List.copyOf(listeners);
    }

    /** The configuration with every key at its default. */
    public static GannetConfig defaults() {
        return ConfigLoader.fromMap(java.util.Map.of());
    }

    public GannetConfig withListeners(List<ListenerConfig> newListeners) {
        return new GannetConfig(newListeners, mqtt, sessions, network, sysIntervalSeconds, persistence, cluster, plugins);
    }
}
