package io.gannet.broker.transport;

import io.gannet.broker.metrics.BrokerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over WebSocket (spec section 6): unwraps the bytes of binary frames for the MQTT decoder, which does not
 * care where frames begin or end [MQTT-6.0.0-2], and wraps each outgoing buffer in a binary frame. A text frame
 * closes the connection [MQTT-6.0.0-1]. (A plain HTTP request that is not an upgrade gets 400 from the handshake
 * handler before it gets here.)
 *
 * <p>It also keeps what is not MQTT from the connection: an HTTP request the handshake handler let through (one whose
 * target is not a path, such as {@code *} or an absolute URL) gets 400, and a frame the WebSocket decoder found
 * malformed (unmasked, a bad length, a control frame too long) closes the connection quietly, counted as a
 * malformed packet, instead of reaching the connection as an unexpected error.
 */
final class WebSocketFrames extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrames.class);

    private final BrokerMetrics metrics;

    WebSocketFrames(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            ctx.fireChannelRead(((WebSocketFrame) msg).content()); // the frame's reference passes on with its bytes
        } else if (msg instanceof WebSocketFrame) {
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "MQTT is sent in binary frames")).addListener(ChannelFutureListener.CLOSE);
        } else if (msg instanceof HttpObject) {
            ReferenceCountUtil.release(msg);
            HttpRefusal.closeWith(ctx, HttpResponseStatus.BAD_REQUEST, "not a WebSocket handshake");
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            // The client's bytes, not the broker, are at fault: the WebSocket decoder has sent its close frame.
            metrics.malformedPacket();
            log.debug("Closing a WebSocket connection from {} after a malformed frame: {}", ctx.channel().remoteAddress(),
                    cause.toString());
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            ctx.write(new BinaryWebSocketFrame(buf), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
