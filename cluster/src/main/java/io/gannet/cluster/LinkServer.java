package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.routing.LocalRouter;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the links other nodes open to this one, on {@code port}, and delivers the messages they carry to this
 * node's own sessions through the local router, never onward. A link must first name a configured node; anything
 * else, or a malformed frame, closes it and is counted.
 */
final class LinkServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LinkServer.class);

    private final ClusterConfig config;
    private final Set<String> peers;
    private final int maxFrame;
    private final Clock clock;
    private final LinkCounters counters;
    private EventLoopGroup acceptor;
    private Channel serverChannel;

    /** @param maxFrame the largest frame accepted: a message of the largest packet the broker takes, and more */
    LinkServer(ClusterConfig config, int maxFrame, Clock clock, LinkCounters counters) {
        this.config = config;
        this.peers = config.nodes().stream().map(ClusterConfig.Node::id).filter(id -> !id.equals(config.nodeId()))
                .collect(Collectors.toUnmodifiableSet());
        this.maxFrame = maxFrame;
        this.clock = clock;
        this.counters = counters;
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
                    }
                })
                .bind(self.host(), self.port()).sync().channel();
        log.info("Cluster node {} takes links from {} other nodes on {}:{}", config.nodeId(), peers.size(),
                self.host(), self.port());
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
        private String from;

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
                    if (LinkFrames.readPlain(frame)) {
                        // The sending node placed the message with the shared groups itself: none take it here
                        // but those the frame names.
                        local.route(m, null, SharedGroupFilter.NONE);
                    }
                    for (int i = LinkFrames.readGroupCount(frame); i > 0; i--) {
                        if (!local.routeToGroup(m, strings.read(frame), strings.read(frame)).matched()) {
                            counters.sharedMissed();
                        }
                    }
                    counters.received();
                } else {
                    refuse(ctx, "unknown frame type " + type);
                }
            } catch (RuntimeException e) {
                refuse(ctx, "a malformed frame (" + e + ")");
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
}
