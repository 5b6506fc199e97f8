package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.message.Message;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's link to one other node: a TCP connection opened by this loop and used only by it, so a publisher
 * (which lives on one loop) writes without a hand-off and its messages stay in order. The messages of one loop turn
 * are gathered into one buffer and flushed once at the end of the turn: batched per peer. Reconnects every second
 * while the node is away; meanwhile, and while the peer reads too slowly, messages for it are dropped and counted,
 * and a QoS 1 or 2 publisher of one is told it was not delivered. The peer's answers ({@link LinkAcks}) come back on
 * the same connection.
 */
final class PeerLink {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
    /** The largest gathered buffer; a larger message is written alone. */
    private static final int BATCH_MAX = 256 * 1024;
    private static final int BATCH_MIN = 4096;
    /** What may wait unwritten for a peer before messages for it are dropped. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(4 << 20, 16 << 20);

    /** What a QoS 1 or 2 publisher of a message this link could not take waits on: the message did not go. */
    static final CompletableFuture<Void> NOT_SENT = CompletableFuture.failedFuture(new IllegalStateException(
            "another node of the cluster with matching subscribers cannot be reached now"));

    private final EventLoop loop;
    private final ClusterTls tls;
    private final ClusterConfig.Node peer;
    /** The peer's position in {@code cluster.nodes}, as shared-group picks name it. */
    private final int index;
    private final String selfId;
    private final Bootstrap bootstrap;
    private final Clock clock;
    private final LinkCounters counters;
    private final Runnable flushTask = this::flush;
    private final LinkAcks acks = new LinkAcks();
    private Channel channel;
    private ByteBuf batch;
    private boolean flushScheduled;
    private boolean closed;
    private boolean warned;
    /** Whether a failed TLS handshake with the peer was logged; once until a link is up again. */
    private boolean tlsWarned;

    PeerLink(EventLoop loop, ClusterConfig.Node peer, int index, String selfId, Bootstrap template, ClusterTls tls,
             Clock clock, LinkCounters counters) {
        this.loop = loop;
        this.tls = tls;
        this.peer = peer;
        this.index = index;
        this.selfId = selfId;
        this.clock = clock;
        this.counters = counters;
        this.bootstrap = template.clone(loop)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1024, 0, LinkFrames.LENGTH_FIELD, 0,
                                LinkFrames.LENGTH_FIELD), new Answers());
                        tls.connectSide(ch, peer.host(), peer.port());
                    }
                });
    }

    /** Opens the connection; on its loop. */
    void connect() {
        if (closed) {
            return;
        }
        ChannelFuture f = bootstrap.connect(peer.host(), peer.port());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                if (!warned) {
                    log.warn("Cannot reach cluster node {} at {}:{} yet ({}); trying every second", peer.id(),
                            peer.host(), peer.port(), done.cause().toString());
                    warned = true;
                }
                reconnectLater();
                return;
            }
            Channel ch = f.channel();
            tls.secured(ch).addListener(handshake -> {
                if (handshake.isSuccess()) {
                    tlsWarned = false;
                    up(ch);
                    return;
                }
                if (!tlsWarned) {
                    log.warn("TLS with cluster node {} at {}:{} failed ({}); trying every second", peer.id(),
                            peer.host(), peer.port(), handshake.cause().toString());
                    tlsWarned = true;
                }
                ch.close();
                reconnectLater();
            });
        });
    }

    /** The connection is open (and its TLS handshake done): the link says HELLO and is up. */
    private void up(Channel ch) {
        ByteBuf hello = ch.alloc().buffer(64);
        LinkFrames.writeHello(hello, selfId);
        ch.writeAndFlush(hello, ch.voidPromise());
        channel = ch;
        counters.linkUp();
        if (warned) {
            log.info("Link to cluster node {} is up", peer.id());
            warned = false;
        }
        ch.closeFuture().addListener(closedFuture -> {
            channel = null;
            acks.closed();
            counters.linkDown();
            if (!closed) {
                log.warn("Link to cluster node {} closed; reconnecting", peer.id());
                warned = true;
                reconnectLater();
            }
        });
    }

    private void reconnectLater() {
        if (!closed) {
            loop.schedule(this::connect, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Writes {@code m} to this peer with the other messages of this loop turn, or drops and counts it while the
     * peer is away or not reading; on this link's loop only.
     *
     * @param props  the message's properties as {@link LinkFrames#properties} encoded them for every peer
     * @param plain  whether the peer delivers it to its plain subscribers
     * @param shared the groups placed with some node; the peer delivers it to those placed with it
     * @param waits  whether the publisher's acknowledgement waits for the peer to keep it
     * @param routedAt the metadata log index of the routes that chose the peer
     * @return when {@code waits}, what the acknowledgement waits for: the peer's answer, or {@link #NOT_SENT};
     *         else {@code null}
     */
    CompletableFuture<Void> send(Message m, byte[] props, boolean plain, SharedPicks shared, boolean waits,
                                 long routedAt) {
        Channel ch = channel;
        if (ch == null || !ch.isWritable()) {
            counters.dropped();
            return waits ? NOT_SENT : null;
        }
        int size = LinkFrames.publishSizeBound(m, props, shared, index);
        if (batch != null && batch.maxWritableBytes() < size) {
            handOver(ch);
        }
        if (batch == null) {
            batch = ch.alloc().directBuffer(Math.max(size, BATCH_MIN), Math.max(size, BATCH_MAX));
        }
        LinkFrames.writePublish(batch, m, props, clock.millis(), plain, waits, routedAt, shared, index);
        counters.sent();
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
        return acks.written(waits);
    }

    private void handOver(Channel ch) {
        ByteBuf b = batch;
        batch = null;
        ch.write(b, ch.voidPromise());
    }

    private void flush() {
        flushScheduled = false;
        acks.turnEnded();
        if (batch == null) {
            return;
        }
        Channel ch = channel;
        if (ch == null) {
            batch.release(); // the link went down within this turn: counted as sent, lost with the connection
            batch = null;
            return;
        }
        handOver(ch);
        ch.flush();
    }

    /**
     * Tells the peer that this node hosts the session of {@code clientId}, which it took over from it, with its routes
     * committed at metadata log index {@code routesAt}; on this link's loop. Dropped while the peer is away: it then
     * lets go of the session after a deadline (see {@code Session.takenOverElsewhere}).
     */
    void moved(String clientId, long routesAt) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        if (batch != null) {
            handOver(ch); // the messages of this turn go first: they were routed while the session was there
        }
        ByteBuf frame = ch.alloc().buffer(LinkFrames.LENGTH_FIELD + 3 + 3 * clientId.length() + Long.BYTES);
        LinkFrames.writeMoved(frame, clientId, routesAt);
        ch.writeAndFlush(frame, ch.voidPromise());
    }

    /**
     * Tells the peer that a client of id {@code clientId} connected to this node at {@code atMillis}; on this link's
     * loop. Dropped while the peer is away.
     */
    void connected(String clientId, long atMillis, boolean newSession) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        // In the turn's batch, as messages are: a storm of connections costs a write per turn, not one each.
        int size = LinkFrames.LENGTH_FIELD + 12 + 3 * clientId.length();
        if (batch != null && batch.maxWritableBytes() < size) {
            handOver(ch);
        }
        if (batch == null) {
            batch = ch.alloc().directBuffer(Math.max(size, BATCH_MIN), Math.max(size, BATCH_MAX));
        }
        LinkFrames.writeConnected(batch, clientId, atMillis, newSession);
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    /** Closes the connection, which reconnects: what waits on it fails; on its loop. */
    void reset() {
        if (channel != null) {
            channel.close();
        }
    }

    /** Closes the connection and stops reconnecting; on its loop. */
    void close() {
        closed = true;
        if (batch != null) {
            batch.release();
            batch = null;
        }
        if (channel != null) {
            channel.close();
        }
    }

    /** The peer's answers on this connection: how far it is done, and which messages it did not keep. */
    private final class Answers extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            byte type = frame.readByte();
            if (frame.readableBytes() < Long.BYTES || type != LinkFrames.DONE && type != LinkFrames.FAILED) {
                exceptionCaught(ctx, new IllegalArgumentException("an unknown answer of type " + type));
                return;
            }
            long count = frame.readLong();
            if (type == LinkFrames.DONE) {
                acks.done(count);
            } else {
                acks.failed(count);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == channel) { // before it is up, a failed TLS handshake: logged once where it is seen
                log.warn("Cluster link {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }
    }
}
