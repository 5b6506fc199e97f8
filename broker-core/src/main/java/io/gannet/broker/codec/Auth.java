package io.gannet.broker.codec;

/** AUTH (section 3.15), 5.0 only: one step of enhanced authentication. */
public record Auth(int reasonCode, MqttProperties properties) implements MqttPacket {
    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
