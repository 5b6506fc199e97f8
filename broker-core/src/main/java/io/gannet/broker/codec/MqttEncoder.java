package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;


/**
 * Encodes outbound {@link MqttPacket}s in the connection's protocol version. Buffers pass through untouched: the
 * fan-out path writes PUBLISH packets it has already encoded and shares among subscribers.
 *
 * <p>For 5.0 clients it honours what CONNECT asked for: with Request Problem Information 0, no Reason String or
 * User Property goes out on packets other than CONNACK and DISCONNECT [MQTT-3.1.2-29]; a packet over the client's
 * Maximum Packet Size loses its Reason String and User Properties first [MQTT-3.1.2-25].
 */
public final class MqttEncoder extends ChannelOutboundHandlerAdapter {
    /** Until CONNECT says otherwise, answers go out in 3.1.1 form, which every client version can read. */
    private MqttVersion version = MqttVersion.V3_1_1;
    private long clientMaxPacketSize = Long.MAX_VALUE;
    private boolean problemInformation = true;

    /** Sets the version to encode in; called on the channel's event loop once CONNECT is decoded. */
    public void version(MqttVersion version) {
        this.version = version;
    }

    /** Applies the client's 5.0 limits; called on the channel's event loop once CONNECT is decoded. */
    public void clientLimits(long maxPacketSize, boolean requestProblemInformation) {
        this.clientMaxPacketSize = maxPacketSize;
        this.problemInformation = requestProblemInformation;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof MqttPacket packet) {
            if (version.isV5()) {
                packet = fitForClient(packet);
            }
            ByteBuf buf = PacketWriter.encode(ctx.alloc(), packet, version);
            ctx.write(buf, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private MqttPacket fitForClient(MqttPacket packet) {
        PacketType t = packet.type();
        boolean diagnosticsAllowed = problemInformation || t == PacketType.CONNACK || t == PacketType.DISCONNECT
                || t == PacketType.PUBLISH;
        if (diagnosticsAllowed && PacketWriter.encodedSize(packet, version) <= clientMaxPacketSize) {
            return packet;
        }
        return t == PacketType.PUBLISH ? packet : Diagnostics.strip(packet);
    }

}
