package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How the broker closes a connection after its last word (a DISCONNECT, or a CONNACK that refuses): a client that is
 * still sending would otherwise get a reset instead of that packet, since closing a socket with unread input resets
 * it. So the packet is flushed, our side of the stream is shut (a FIN after the packet, on plain TCP), and whatever
 * the client still sends is read and thrown away until it closes, or for {@link #LINGER_MILLIS} at most.
 */
final class LingeringClose {
    /** The longest a closing connection is read from: long enough for a client to read its last packet. */
    static final long LINGER_MILLIS = 2_000;

    private LingeringClose() {
    }

    /** Closes the channel once {@code lastWrite} is out, lingering as described above. */
    static void after(ChannelFuture lastWrite) {
        lastWrite.addListener(f -> {
            Channel ch = lastWrite.channel();
            if (!f.isSuccess() || !ch.isActive()) {
                ch.close();
                return;
            }
            ChannelPipeline p = ch.pipeline();
            if (p.get(MqttDecoder.class) != null) {
                // No more decoding: the bytes still in the decoder and all that follow go to the discarder.
                p.replace(MqttDecoder.class, "discard", new Discard());
            }
            ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS,
                    TimeUnit.MILLISECONDS);
            ch.closeFuture().addListener(closed -> deadline.cancel(false));
            if (ch instanceof DuplexChannel duplex && p.get(SslHandler.class) == null) {
                duplex.shutdownOutput(); // TLS would need its close_notify first: there the close does it
            }
            ch.config().setAutoRead(true);
        });
    }

    /** Throws away what a closing client still sends; the channel closes when the client closes its side. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset by the client while we linger: nothing more to say
        }
    }
}
