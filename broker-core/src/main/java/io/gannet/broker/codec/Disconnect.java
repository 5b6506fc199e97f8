package io.gannet.broker.codec;

/** DISCONNECT (section 3.14). In 3.x it carries nothing; reason code and properties are 5.0 only. */
public record Disconnect(int reasonCode, MqttProperties properties) implements MqttPacket {
    public static final Disconnect NORMAL = new Disconnect(ReasonCode.SUCCESS, MqttProperties.EMPTY);

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
