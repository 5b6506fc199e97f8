package io.gannet.broker.codec;

/**
 * CONNACK (section 3.2). {@code reasonCode} is as it goes on the wire for the connection's version: a 5.0 reason
 * code, or a 3.1.x return code.
 */
public record ConnAck(boolean sessionPresent, int reasonCode, MqttProperties properties) implements MqttPacket {
    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }
}
