package io.gannet.broker.transport;

import io.gannet.broker.config.WebOrigins;
import io.gannet.broker.metrics.BrokerMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Refuses the WebSocket handshake of a web page from an origin the listener does not allow (HTTP 403), before the
 * upgrade. A browser lets any page it shows open a WebSocket to any address, localhost included, and tells the
 * server only through the Origin header. Clients outside a browser send none, or (Netty's, the HiveMQ client's) the
 * address they connect to: an origin that is this listener itself, by IP address or {@code localhost} and port, is
 * no web page (the broker serves none) and passes. A host name is not taken for the listener: a page can rebind its
 * own name to this machine's address (DNS rebinding). Leaves the pipeline after the first request it lets through:
 * the origin is checked once per connection.
 */
final class OriginCheck extends ChannelInboundHandlerAdapter {
    private final List<String> allowed;
    private final BrokerMetrics metrics;

    /** @param allowed normalized origins ({@link WebOrigins}); empty allows none */
    OriginCheck(List<String> allowed, BrokerMetrics metrics) {
        this.allowed = allowed;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin == null) {
                origin = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ORIGIN); // drafts before RFC 6455
            }
            if (origin != null && !allowed.contains(WebOrigins.ANY)) {
                // "null" (a local file, a sandboxed frame) and anything malformed normalize to null: never allowed.
                String sent = WebOrigins.normalizeSent(origin);
                if (sent == null || (!allowed.contains(sent) && !isThisListener(sent, ctx))) {
                    ReferenceCountUtil.release(request);
                    metrics.refused(BrokerMetrics.Refusal.WEBSOCKET_ORIGIN);
                    HttpRefusal.closeWith(ctx, HttpResponseStatus.FORBIDDEN,
                            "origin " + printable(origin) + " is not in this listener's allowed-origins");
                    return;
                }
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Whether a normalized origin names this listener by address and port, as clients outside a browser may send.
     */
    private static boolean isThisListener(String sent, ChannelHandlerContext ctx) {
        if (!(ctx.channel().localAddress() instanceof InetSocketAddress local)) {
            return false;
        }
        URI uri = URI.create(sent);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        boolean address = host.equals("localhost") || NetUtil.isValidIpV4Address(host)
                || NetUtil.isValidIpV6Address(host);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return address && port == local.getPort();
    }

    /** The origin as it may be echoed: bounded, and without control characters. */
    private static String printable(String origin) {
        String cut = origin.length() > 200 ? origin.substring(0, 200) + "..." : origin;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
