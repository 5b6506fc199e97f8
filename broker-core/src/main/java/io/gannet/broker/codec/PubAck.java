package io.gannet.broker.codec;

/** PUBACK (section 3.4): acknowledges a QoS 1 PUBLISH. */
public record PubAck(int packetId, int reasonCode, MqttProperties properties) implements PublishAcknowledgement {
    public PubAck(int packetId) {
        this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBACK;
    }
}
