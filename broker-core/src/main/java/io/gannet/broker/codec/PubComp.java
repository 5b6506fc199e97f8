package io.gannet.broker.codec;

/** PUBCOMP (section 3.7): ends a QoS 2 flow. */
public record PubComp(int packetId, int reasonCode, MqttProperties properties) implements PublishAcknowledgement {
    public PubComp(int packetId) {
        this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBCOMP;
    }
}
