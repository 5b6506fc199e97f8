package io.gannet.broker.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * CONNECT (section 3.1). {@code cleanStart} is the Clean Session flag of 3.1.x. {@code username}, {@code password}
 * and {@code will} are {@code null} when absent.
 */
public record Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAliveSeconds,
                      String username, byte[] password, Will will, MqttProperties properties) implements MqttPacket {

    public Connect {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(properties, "properties");
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Connect c && version == c.version && clientId.equals(c.clientId)
                && cleanStart == c.cleanStart && keepAliveSeconds == c.keepAliveSeconds
                && Objects.equals(username, c.username) && Arrays.equals(password, c.password)
                && Objects.equals(will, c.will) && properties.equals(c.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, clientId, cleanStart, keepAliveSeconds, username, Arrays.hashCode(password),
                will, properties);
    }

    @Override
    public String toString() {
        // Never print the password.
        return "Connect[" + version + ", clientId=" + clientId + ", cleanStart=" + cleanStart + ", keepAlive="
                + keepAliveSeconds + ", username=" + username + ", password=" + (password == null ? "none" : "***")
                + ", will=" + will + ", properties=" + properties + "]";
    }

    /** The will message a CONNECT carries (section 3.1.3.2). */
    public record Will(String topic, byte[] payload, int qos, boolean retain, MqttProperties properties) {
        public Will {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Will w && topic.equals(w.topic) && Arrays.equals(payload, w.payload) && qos == w.qos
                    && retain == w.retain && properties.equals(w.properties);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, properties);
        }

        @Override
        public String toString() {
            return "Will[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", " + payload.length + " bytes]";
        }
    }
}
