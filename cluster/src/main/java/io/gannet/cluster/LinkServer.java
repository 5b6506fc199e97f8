package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.Routed;
import io.gannet.broker.routing.SharedGroupFilter;
import io.gannet.broker.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the links other nodes open to this one, on {@code port}, and delivers the messages they carry to this
 * node's own sessions through the local router, never onward. A link must first name a configured node; anything
 * else, or a malformed frame, closes it and is counted.
 *
 * <p>It answers on each link how many of its messages, in order, are delivered and kept ({@link LinkFrames#DONE}):
 * at once for those that reached only clean sessions, and once the partition has committed them for those that
 * reached a persistent session. One answer per read, not per message.
 */
final class LinkServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkServer.class);
    private static final CompletableFuture<Void> NOT_KEPT = CompletableFuture.failedFuture(new IllegalStateException(
            "the persistent session this node was sent the message for is no longer here"));

    private final ClusterConfig config;
    private final Set<String> peers;
    private final int maxFrame;
    private final Clock clock;
    private final LinkCounters counters;
    /** Hears what other nodes say of their clients' sessions. */
    private final SessionNews news;
    private final ClusterTls tls;
    /** Whether a persistent session of this node has a plain subscription matching a topic. */
    private final Predicate<String> durableHere;
    /** The persistent sessions' filters that left this node lately. */
    private final DepartedFilters departed;
    private EventLoopGroup acceptor;
    private Channel serverChannel;

    /** @param maxFrame the largest frame accepted: a message of the largest packet the broker takes, and more */
    LinkServer(ClusterConfig config, ClusterTls tls, int maxFrame, Clock clock, LinkCounters counters,
               SessionNews news, Predicate<String> durableHere, DepartedFilters departed) {
        this.config = config;
        this.tls = tls;
        this.peers = ConcurrentHashMap.newKeySet();
        config.nodes().stream().map(ClusterConfig.Node::id).filter(id -> !id.equals(config.nodeId()))
                .forEach(peers::add);
        this.maxFrame = maxFrame;
        this.clock = clock;
        this.counters = counters;
        this.news = news;
        this.durableHere = durableHere;
        this.departed = departed;
    }

    /** A node joined the cluster: its links are taken from now on. */
    void allow(String node) {
        if (!node.equals(config.nodeId())) {
            peers.add(node);
        }
    }

    /** A node left the cluster: its new links are refused (those it has close as it goes). */
    void forget(String node) {
        peers.remove(node);
    }

    /** Binds {@code port}; the links' channels live on the broker's event loops. */
    void start(EventLoopGroup workers, Transport transport, LocalRouter local) throws InterruptedException {
        acceptor = transport.newGroup(1, "gannet-cluster-accept");
        ClusterConfig.Node self = config.self();
        serverChannel = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(maxFrame, 0, LinkFrames.LENGTH_FIELD,
                                0, LinkFrames.LENGTH_FIELD), new Inbound(local));
                        tls.acceptSide(ch);
                    }
                })
                .bind(self.host(), self.port()).sync().channel();
        log.info("Cluster node {} takes links from {} other nodes on {}:{}", config.nodeId(), peers.size(),
                self.host(), self.port());
    }

    /**
     * A message this node's stores have not kept yet: the {@code index}-th of its link.
     *
     * @param topic    the message's topic if, once kept, it is to be checked against the departures (see
     *                 {@link DepartedFilters}); else {@code null}
     * @param routedAt the metadata log index of the routes its sender chose this node by
     */
    private record Pending(long index, CompletableFuture<Void> kept, String topic, long routedAt) {
    }

    private static CompletableFuture<Void> both(CompletableFuture<Void> a, CompletableFuture<Void> b) {
        return a == null ? b : b == null ? a : CompletableFuture.allOf(a, b);
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** One link from another node: its HELLO, then its messages. */
    private final class Inbound extends SimpleChannelInboundHandler<ByteBuf> {
        private final LocalRouter local;
        private final RecentStrings strings = new RecentStrings();
        private final DepartedFilters.Probe departures = departed.probe();
        private String from;
        /** Messages received on this link. */
        private long received;
        /** The count last answered with DONE. */
        private long answered;
        /** Messages not yet kept by the stores they reached, in the order they came. */
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();
        private ChannelHandlerContext context;
        private final Runnable settleTask = this::settle;
        /** Whether a settle is already on its way to the loop: the stores complete many messages at once. */
        private final AtomicBoolean settleScheduled = new AtomicBoolean();

        Inbound(LocalRouter local) {
            this.local = local;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            try {
                byte type = frame.readByte();
                if (from == null) {
                    if (type != LinkFrames.HELLO) {
                        refuse(ctx, "it sent no HELLO first");
                        return;
                    }
                    String node = LinkFrames.readHello(frame);
                    if (!peers.contains(node)) {
                        refuse(ctx, "'" + node + "' is not another node of cluster.nodes");
                        return;
                    }
                    from = node;
                } else if (type == LinkFrames.PUBLISH) {
                    Message m = LinkFrames.readPublish(frame, strings, clock.millis());
                    received++;
                    CompletableFuture<Void> kept = null;
                    int targets = LinkFrames.readTargets(frame);
                    long routedAt = LinkFrames.readRoutedAt(frame);
                    boolean durable = (targets & LinkFrames.DURABLE) != 0;
                    if ((targets & LinkFrames.PLAIN) != 0) {
                        // The sending node placed the message with the shared groups itself: none take it here
                        // but those the frame names.
                        kept = local.route(m, null, SharedGroupFilter.NONE).stored();
                        if (kept == null && durable && !durableHere.test(m.topic())) {
                            // The sender counted on a persistent session here that is gone (it moved to another
                            // node, or ended, and the routes have not caught up): not kept, so that its publisher
                            // sends it again rather than have it acknowledged with nobody keeping it.
                            kept = NOT_KEPT;
                        }
                    }
                    for (int i = LinkFrames.readGroupCount(frame); i > 0; i--) {
                        Routed r = local.routeToGroup(m, strings.read(frame), strings.read(frame));
                        if (!r.matched()) {
                            counters.sharedMissed();
                        }
                        kept = both(kept, r.stored());
                    }
                    // Sent here for a persistent session by routes that may predate its leaving: checked once
                    // kept, when every session this node routed it to has had its say (a session that leaves in the
                    // meantime notes its departure while it still fails what reaches it), whether or not any
                    // departure is known now.
                    String check = durable && kept != NOT_KEPT ? m.topic() : null;
                    if (kept == null && check != null && departures.leftSince(check, routedAt)) {
                        kept = NOT_KEPT;
                    }
                    if (kept != null) {
                        pending.add(new Pending(received, kept, check, routedAt));
                        if (!kept.isDone()) {
                            kept.whenComplete((ok, error) -> {
                                if (settleScheduled.compareAndSet(false, true)) {
                                    ctx.executor().execute(settleTask);
                                }
                            });
                        }
                    }
                    counters.received();
                } else if (type == LinkFrames.MOVED) {
                    LinkFrames.Moved moved = LinkFrames.readMoved(frame);
                    news.hostedThere(from, moved.clientId(), moved.routesAt());
                } else if (type == LinkFrames.CONNECTED) {
                    LinkFrames.Connected c = LinkFrames.readConnected(frame);
                    news.connectedThere(from, c.clientId(), c.atMillis(), c.newSession());
                } else {
                    refuse(ctx, "unknown frame type " + type);
                }
            } catch (RuntimeException e) {
                refuse(ctx, "a malformed frame (" + e + ")");
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            context = ctx;
            super.channelActive(ctx);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            settle();
            ctx.fireChannelReadComplete();
        }

        /**
         * Answers how far the messages are delivered and kept, in order: FAILED for each one a store refused, then
         * DONE with the count of those before the first still waiting.
         */
        private void settle() {
            settleScheduled.set(false);
            ChannelHandlerContext ctx = context;
            if (ctx == null || !ctx.channel().isActive()) {
                return;
            }
            boolean wrote = false;
            while (!pending.isEmpty() && pending.peek().kept.isDone()) {
                Pending p = pending.poll();
                if (p.kept.isCompletedExceptionally()
                        || (p.topic != null && departures.leftSince(p.topic, p.routedAt))) {
                    ByteBuf failed = ctx.alloc().buffer(LinkFrames.COUNT_FRAME_BYTES);
                    LinkFrames.writeCount(failed, LinkFrames.FAILED, p.index);
                    ctx.write(failed, ctx.voidPromise());
                    wrote = true;
                }
            }
            long done = pending.isEmpty() ? received : pending.peek().index - 1;
            if (done > answered) {
                answered = done;
                ByteBuf answer = ctx.alloc().buffer(LinkFrames.COUNT_FRAME_BYTES);
                LinkFrames.writeCount(answer, LinkFrames.DONE, done);
                ctx.write(answer, ctx.voidPromise());
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            refuse(ctx, cause.toString());
        }

        private void refuse(ChannelHandlerContext ctx, String why) {
            counters.refused();
            log.warn("Closed a cluster link from {} ({}): {}", ctx.channel().remoteAddress(),
                    from == null ? "not yet identified" : "node " + from, why);
            ctx.close();
        }
    }

    /** What other nodes say, over their links, of their clients' sessions. */
    interface SessionNews {
        /**
         * The sending node, {@code host}, hosts the session of {@code clientId}, which it took over from this one,
         * its routes committed at metadata log index {@code routesAt} ({@code MOVED}).
         */
        void hostedThere(String host, String clientId, long routesAt);

        /**
         * A client of id {@code clientId} connected to node {@code node} at {@code atMillis} by its clock, with a new
         * session or one it resumed ({@code CONNECTED}).
         */
        void connectedThere(String node, String clientId, long atMillis, boolean newSession);
    }
}
