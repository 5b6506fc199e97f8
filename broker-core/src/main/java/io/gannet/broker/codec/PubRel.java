package io.gannet.broker.codec;

/** PUBREL (section 3.6): the publisher releases a QoS 2 message. */
public record PubRel(int packetId, int reasonCode, MqttProperties properties) implements PublishAcknowledgement {
    public PubRel(int packetId) {
        this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREL;
    }
}
