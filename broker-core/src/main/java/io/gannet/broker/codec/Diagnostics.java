package io.gannet.broker.codec;

/**
 * Removes the diagnostic properties (Reason String, User Properties) from a packet, which a 5.0 client may ask not
 * to get [MQTT-3.1.2-29] and which go first when a packet would exceed the client's Maximum Packet Size.
 */
final class Diagnostics {
    private Diagnostics() {
    }

    static MqttPacket strip(MqttPacket packet) {
        return switch (packet.type()) {
            case CONNACK -> {
                ConnAck c = (ConnAck) packet;
                yield new ConnAck(c.sessionPresent(), c.reasonCode(), strip(c.properties()));
            }
            case PUBACK -> {
                PubAck a = (PubAck) packet;
                yield new PubAck(a.packetId(), a.reasonCode(), strip(a.properties()));
            }
            case PUBREC -> {
                PubRec a = (PubRec) packet;
                yield new PubRec(a.packetId(), a.reasonCode(), strip(a.properties()));
            }
            case PUBREL -> {
                PubRel a = (PubRel) packet;
                yield new PubRel(a.packetId(), a.reasonCode(), strip(a.properties()));
            }
            case PUBCOMP -> {
                PubComp a = (PubComp) packet;
                yield new PubComp(a.packetId(), a.reasonCode(), strip(a.properties()));
            }
            case SUBACK -> {
                SubAck a = (SubAck) packet;
                yield new SubAck(a.packetId(), a.reasonCodes(), strip(a.properties()));
            }
            case UNSUBACK -> {
                UnsubAck a = (UnsubAck) packet;
                yield new UnsubAck(a.packetId(), a.reasonCodes(), strip(a.properties()));
            }
            case DISCONNECT -> {
                Disconnect d = (Disconnect) packet;
                yield new Disconnect(d.reasonCode(), strip(d.properties()));
            }
            case AUTH -> {
                Auth a = (Auth) packet;
                yield new Auth(a.reasonCode(), strip(a.properties()));
            }
            default -> packet;
        };
    }

    private static MqttProperties strip(MqttProperties p) {
        if (p.isEmpty()) {
            return p;
        }
        return p.toBuilder().remove(PropertyId.REASON_STRING).remove(PropertyId.USER_PROPERTY).build();
    }
}
