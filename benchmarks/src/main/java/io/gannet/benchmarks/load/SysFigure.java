package io.gannet.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Waits for one figure of a node's {@code $SYS/broker/cluster/...} to meet a condition: subscribes to it at QoS 0
 * and reads each value the broker publishes (every {@code sys.interval-seconds}).
 */
final class SysFigure {
    private static final int KEEP_ALIVE_SECONDS = 60;

    private SysFigure() {
    }

    /**
     * @param figure the topic after {@code $SYS/broker/cluster/}, as {@code partitions/moving}
     * @return whether a value met {@code until} within {@code within}
     */
    static boolean await(EventLoopGroup group, int port, String figure, LongPredicate until, Duration within)
            throws InterruptedException {
        CountDownLatch met = new CountDownLatch(1);
        Bootstrap b = new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new PacketSplitter(), watcher(figure, until, met));
                    }
                });
        Channel watch = b.connect("127.0.0.1", port).channel();
        try {
            return met.await(within.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            watch.close();
        }
    }

    private static SimpleChannelInboundHandler<ByteBuf> watcher(String figure, LongPredicate until,
                                                                CountDownLatch met) {
        return new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush(ClientCodec.connect(ctx.alloc(), true, "sys-watch-" + System.nanoTime(),
                        KEEP_ALIVE_SECONDS));
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
                // One whole packet: a CONNACK, a SUBACK or a QoS 0 PUBLISH.
                int type = in.getUnsignedByte(in.readerIndex()) >>> 4;
                if (type == ClientCodec.CONNACK) {
                    ctx.writeAndFlush(ClientCodec.subscribe(ctx.alloc(), true, 1,
                            "$SYS/broker/cluster/" + figure, 0));
                } else if (type == ClientCodec.PUBLISH) {
                    // Header, length, topic, no properties, the number as text.
                    int body = in.readerIndex() + 1 + ClientCodec.varIntSize(
                            ClientCodec.readVarInt(in, in.readerIndex() + 1));
                    int p = body + 2 + in.getUnsignedShort(body);
                    p += 1 + ClientCodec.readVarInt(in, p); // properties
                    String value = in.toString(p, in.writerIndex() - p, StandardCharsets.US_ASCII).trim();
                    if (value.matches("-?[0-9]+") && until.test(Long.parseLong(value))) {
                        met.countDown();
                    }
                }
            }
        };
    }

    /**
     * Hands on whole MQTT packets: a SUBACK and the retained value after it often arrive in one read, and a value
     * read past would not come again until it changes.
     */
    private static final class PacketSplitter extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= 2) {
                int whole = ClientCodec.packetLength(in);
                if (whole < 0 || in.readableBytes() < whole) {
                    return;
                }
                out.add(in.readRetainedSlice(whole));
            }
        }
    }
}
