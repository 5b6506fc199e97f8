package io.gannet.broker.transport;

import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listener's own limits, on its server channel, before a connection costs anything more than its socket: at most
 * {@code max-connections} open at once (one more is closed at once, and counted), and at most
 * {@code connections-per-second} accepted per second. Past the rate the listener stops accepting until the second
 * is over, so that the rest wait in the kernel's backlog instead of being refused: a fleet reconnecting after an
 * outage arrives spread out. Runs on the listener's accepting event loop only.
 */
final class AdmissionControl extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

    private final ListenerConfig listener;
    private final BrokerMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private long windowStartNanos = System.nanoTime();
    private int acceptedInWindow;
    private long lastRefusalLogNanos;

    AdmissionControl(ListenerConfig listener, BrokerMetrics metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg; // a server channel reads accepted connections
        if (open.get() >= listener.maxConnections()) {
            metrics.refused(BrokerMetrics.Refusal.CONNECTIONS);
            long now = System.nanoTime();
            if (now - lastRefusalLogNanos > TimeUnit.SECONDS.toNanos(10)) {
                lastRefusalLogNanos = now;
                log.warn("Listener '{}' has {} connections, its max-connections: closing new ones", listener.name(),
                        open.get());
            }
            child.unsafe().closeForcibly(); // not registered yet: nothing else knows it
            return;
        }
        open.incrementAndGet();
        child.closeFuture().addListener(f -> open.decrementAndGet());
        throttle(ctx);
        ctx.fireChannelRead(child);
    }

    /** Counts an accepted connection; past the rate, stops accepting until the current second is over. */
    private void throttle(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        long elapsed = now - windowStartNanos;
        if (elapsed >= TimeUnit.SECONDS.toNanos(1)) {
            windowStartNanos = now;
            elapsed = 0;
            acceptedInWindow = 0;
        }
        // Once per window: connections of the read batch that follow it are already accepted, and counted.
        if (++acceptedInWindow == listener.connectionsPerSecond()) {
            Channel server = ctx.channel();
            server.config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                windowStartNanos = System.nanoTime();
                acceptedInWindow = 0;
                server.config().setAutoRead(true);
            }, TimeUnit.SECONDS.toNanos(1) - elapsed, TimeUnit.NANOSECONDS);
        }
    }
}
