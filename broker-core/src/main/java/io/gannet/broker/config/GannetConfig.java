package io.gannet.broker.config;

import java.util.List;

/** The whole broker configuration, validated. Built by {@link ConfigLoader}; passed to the parts that need it. */
public record GannetConfig(List<ListenerConfig> listeners, MqttConfig mqtt, SessionConfig sessions,
                           NetworkConfig network) {

    public GannetConfig {
        listeners = List.copyOf(listeners);
    }

    /** The configuration with every key at its default. */
    public static GannetConfig defaults() {
        return ConfigLoader.fromMap(java.util.Map.of());
    }

    public GannetConfig withListeners(List<ListenerConfig> newListeners) {
        return new GannetConfig(newListeners, mqtt, sessions, network);
    }

    public GannetConfig withMqtt(MqttConfig newMqtt) {
        return new GannetConfig(listeners, newMqtt, sessions, network);
    }

    public GannetConfig withSessions(SessionConfig newSessions) {
        return new GannetConfig(listeners, mqtt, newSessions, network);
    }
}
