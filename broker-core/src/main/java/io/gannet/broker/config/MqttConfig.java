package io.gannet.broker.config;

/**
 * Protocol limits, from the {@code mqtt} section. See {@link ConfigSchema} for each key's meaning and default.
 */
public record MqttConfig(int maxPacketSize, int connectTimeoutSeconds, int inflightWindow, int receiveMaximum,
                         boolean allowEmptyClientId) {
}
