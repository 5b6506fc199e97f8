package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes outbound {@link MqttPacket}s for one client: in its protocol version, and for 5.0 clients within what
 * CONNECT asked for. With Request Problem Information 0, no Reason String or User Property goes out on packets
 * other than CONNACK and DISCONNECT [MQTT-3.1.2-29]; a packet over the client's Maximum Packet Size loses its Reason
 * String and User Properties first [MQTT-3.1.2-25].
 *
 * <p>Not a pipeline handler: the connection encodes what it writes, so a connection costs no handler and no
 * handler context for its encoder, and a write takes one step less through the pipeline.
 */
public final class MqttEncoder {
    private MqttEncoder() {
    }

    /**
     * @param clientMaxPacketSize the 5.0 client's Maximum Packet Size, {@link Long#MAX_VALUE} for none
     * @param problemInformation  the 5.0 client's Request Problem Information (true unless it sent 0)
     */
    public static ByteBuf encode(ByteBufAllocator alloc, MqttPacket packet, MqttVersion version,
                                 long clientMaxPacketSize, boolean problemInformation) {
        return PacketWriter.encode(alloc, forClient(packet, version, clientMaxPacketSize, problemInformation),
                version);
    }

    /**
     * The packet as {@link #encode} writes it for this client: without diagnostics it did not ask for or has no room
     * for. For callers that encode it themselves with {@link PacketWriter#encodeInto}.
     */
    public static MqttPacket forClient(MqttPacket packet, MqttVersion version, long clientMaxPacketSize,
                                       boolean problemInformation) {
        return version.isV5() ? fitForClient(packet, version, clientMaxPacketSize, problemInformation) : packet;
    }

    private static MqttPacket fitForClient(MqttPacket packet, MqttVersion version, long clientMaxPacketSize,
                                           boolean problemInformation) {
        PacketType t = packet.type();
        boolean diagnosticsAllowed = problemInformation || t == PacketType.CONNACK || t == PacketType.DISCONNECT
                || t == PacketType.PUBLISH;
        if (diagnosticsAllowed && PacketWriter.encodedSize(packet, version) <= clientMaxPacketSize) {
            return packet;
        }
        return t == PacketType.PUBLISH ? packet : Diagnostics.strip(packet);
    }
}
