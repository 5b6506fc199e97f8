package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Encodes outbound {@link MqttPacket}s in the connection's protocol version. Buffers pass through untouched: the
 * fan-out path writes PUBLISH packets it has already encoded and shares among subscribers.
 */
public final class MqttEncoder extends ChannelOutboundHandlerAdapter {
    /** Until CONNECT says otherwise, answers go out in 3.1.1 form, which every client version can read. */
    private MqttVersion version = MqttVersion.V3_1_1;

    /** Sets the version to encode in; called on the channel's event loop once CONNECT is decoded. */
    public void version(MqttVersion version) {
        this.version = version;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof MqttPacket packet) {
            ByteBuf buf = PacketWriter.encode(ctx.alloc(), packet, version);
            ctx.write(buf, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

}
