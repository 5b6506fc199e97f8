package io.gannet.broker.codec;

/** PUBREC (section 3.5): first answer to a QoS 2 PUBLISH. */
public record PubRec(int packetId, int reasonCode, MqttProperties properties) implements PublishAcknowledgement {
    public PubRec(int packetId) {
        this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.PUBREC;
    }
}
