package io.gannet.broker.codec;

/**
 * The four packets of the QoS 1 and 2 flows, which share one shape: a packet id, a reason code (5.0 only) and
 * properties (5.0 only).
 */
public sealed interface PublishAcknowledgement extends MqttPacket permits PubAck, PubRec, PubRel, PubComp {
    int packetId();

    int reasonCode();

    MqttProperties properties();
}
