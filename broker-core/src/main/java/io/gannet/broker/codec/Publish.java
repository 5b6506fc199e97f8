package io.gannet.broker.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * PUBLISH (section 3.3). {@code packetId} is 0 for QoS 0. The payload is owned by this packet and never modified.
 */
public record Publish(String topic, int qos, boolean dup, boolean retain, int packetId, MqttProperties properties,
                      byte[] payload) implements MqttPacket {

    public Publish {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Publish p && topic.equals(p.topic) && qos == p.qos && dup == p.dup && retain == p.retain
                && packetId == p.packetId && properties.equals(p.properties) && Arrays.equals(payload, p.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, dup, retain, packetId, properties, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Publish[topic=" + topic + ", qos=" + qos + ", dup=" + dup + ", retain=" + retain + ", packetId="
                + packetId + ", properties=" + properties + ", " + payload.length + " bytes]";
    }
}
