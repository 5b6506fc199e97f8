package io.gannet.broker.codec;

/**
 * One MQTT control packet, decoded or to be encoded. The set is closed: a {@code switch} over it is checked for
 * completeness by the compiler.
 */
public sealed interface MqttPacket permits Connect, ConnAck, Publish, PublishAcknowledgement, Subscribe, SubAck, Unsubscribe, UnsubAck, PingReq, PingResp, Disconnect, Auth {

    PacketType type();
}
