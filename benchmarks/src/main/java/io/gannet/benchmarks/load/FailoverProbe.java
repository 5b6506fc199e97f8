package io.gannet.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.gannet.broker.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The time from a {@code kill -9} of a cluster node to its persistent clients resumed on the other nodes
 * ({@code benchmarks/cluster.sh --failover N}). Connects N clients to the node to kill, each with a persistent session
 * (Session Expiry 3600) and a QoS 1 subscription; kills the node with SIGKILL; and has every client reconnect at once,
 * in turn to the other nodes, with Clean Start 0, trying again every 50 ms until a CONNACK says its session is
 * present. Prints how many resumed and the percentiles of the time each took from the kill.
 *
 * <pre>java -cp 'lib/bench/*' io.gannet.benchmarks.load.FailoverProbe PID PORT RESUME_PORT,... CLIENTS</pre>
 */
public final class FailoverProbe {
    private static final int KEEP_ALIVE_SECONDS = 60;
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final EventLoopGroup group = Transport.select("auto").newGroup(2, "failover-probe");
    private final Histogram resumed = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    /** When each client saw its connection to the killed node close, from the kill; recorded on the loops. */
    private final ConcurrentHistogram lostConnection =
            new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(2), 3);
    private final AtomicInteger attempts = new AtomicInteger();
    /** Each client's connection that resumed its session last, by client id. */
    private final java.util.Map<String, Channel> connected = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger lost = new AtomicInteger();
    private volatile long killedNanos;

    private FailoverProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: FailoverProbe PID PORT RESUME_PORT[,RESUME_PORT...] CLIENTS [WARM_ROUNDS]");
            System.exit(2);
        }
        long pid = Long.parseLong(args[0]);
        int port = Integer.parseInt(args[1]);
        List<Integer> resumePorts = new ArrayList<>();
        for (String p : args[2].split(",")) {
            resumePorts.add(Integer.parseInt(p));
        }
        int clients = Integer.parseInt(args[3]);
        int warmRounds = args.length == 5 ? Integer.parseInt(args[4]) : 0;
        FailoverProbe probe = new FailoverProbe();
        try {
            System.exit(probe.run(pid, port, resumePorts, clients, warmRounds));
        } finally {
            probe.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private int run(long pid, int port, List<Integer> resumePorts, int clients, int warmRounds) throws Exception {
        CountDownLatch subscribed = new CountDownLatch(clients);
        List<Channel> first = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            first.add(connect(port, "failover-" + i, true, subscribed, null));
        }
        if (!subscribed.await(60, TimeUnit.SECONDS)) {
            System.out.printf(Locale.ROOT, "only %d of %d clients subscribed within 60 s%n",
                    clients - subscribed.getCount(), clients);
            return 2;
        }
        System.out.printf(Locale.ROOT, "%d persistent clients connected and subscribed on port %d%n", clients, port);
        for (int round = 1; round <= warmRounds; round++) {
            // Warm, as nodes that have run a while are: every client resumes its session on another node and comes
            // back, so that the takeover's code (claims, rebuilds, hand-overs, Raft entries) is compiled on every
            // node rather than compiled during the failover.
            long started = System.nanoTime();
            List<Channel> away = move(first, i -> resumePorts.get(i % resumePorts.size()));
            first = move(away, i -> port);
            System.out.printf(Locale.ROOT, "warm-up round %d: every client resumed elsewhere and back in %d ms%n",
                    round, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
        // The sessions are in their partitions once a surviving node's copies hold them all: killing the node before
        // would measure how much of a connection storm's last moment was replicated, not a failover.
        if (!awaitKept(resumePorts.get(0), clients)) {
            System.out.printf(Locale.ROOT, "the partitions did not hold the %d sessions within 120 s%n", clients);
            return 2;
        }
        CountDownLatch back = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            String id = "failover-" + i;
            int to = resumePorts.get(i % resumePorts.size());
            first.get(i).closeFuture().addListener(f -> {
                lostConnection.recordValue(Math.min(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killedNanos),
                        lostConnection.getHighestTrackableValue()));
                resume(to, id, back, killedNanos + GIVE_UP_NANOS);
            });
        }
        ProcessHandle node = ProcessHandle.of(pid).orElseThrow(() -> new IllegalArgumentException("no process " + pid));
        killedNanos = System.nanoTime();
        node.destroyForcibly(); // SIGKILL
        boolean all = back.await(GIVE_UP_NANOS, TimeUnit.NANOSECONDS);
        Histogram h;
        synchronized (resumed) {
            h = resumed.copy();
        }
        System.out.printf(Locale.ROOT, "resumed %d of %d clients with their sessions (%d found theirs gone), %d "
                + "connection attempts%n", h.getTotalCount(), clients, lost.get(), attempts.get());
        System.out.printf(Locale.ROOT, "from the kill: p50 %.0f ms  p99 %.0f ms  max %.0f ms%n",
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
        // How much of that the clients spent before they even knew: the kernel closes a killed process's sockets
        // only as it tears the process down.
        Histogram closed = lostConnection.copy();
        System.out.printf(Locale.ROOT, "connections closed by the kill: first %.0f ms  p50 %.0f ms  last %.0f ms "
                + "after it%n", closed.getMinValue() / 1000.0, closed.getValueAtPercentile(50) / 1000.0,
                closed.getMaxValue() / 1000.0);
        return all && lost.get() == 0 ? 0 : 2;
    }

    /**
     * Closes each client's connection and resumes its session on the node at {@code portOf(i)}, trying again as after
     * the kill, until every one is back; returns the new connections.
     */
    private List<Channel> move(List<Channel> from, java.util.function.IntUnaryOperator portOf)
            throws InterruptedException {
        CountDownLatch back = new CountDownLatch(from.size());
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        for (int i = 0; i < from.size(); i++) {
            from.get(i).close().syncUninterruptibly();
            resume(portOf.applyAsInt(i), "failover-" + i, back, deadline);
        }
        if (!back.await(GIVE_UP_NANOS, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException((from.size() - back.getCount()) + " of " + from.size()
                    + " clients resumed within 60 s while warming up");
        }
        List<Channel> moved = new ArrayList<>();
        for (int i = 0; i < from.size(); i++) {
            moved.add(connected.get("failover-" + i));
        }
        return moved;
    }

    /** Waits until {@code $SYS/broker/cluster/partitions/sessions} on {@code port} reaches {@code sessions}. */
    private boolean awaitKept(int port, int sessions) throws InterruptedException {
        return SysFigure.await(group, port, "partitions/sessions", v -> v >= sessions,
                java.time.Duration.ofSeconds(120));
    }

    private void resume(int port, String id, CountDownLatch back, long deadline) {
        if (System.nanoTime() > deadline) {
            return;
        }
        if (killedNanos != 0) {
            attempts.incrementAndGet();
        }
        Channel ch = connect(port, id, false, null, back);
        ch.closeFuture().addListener(f -> {
            if (!Boolean.TRUE.equals(ch.attr(Handler.RESUMED).get())) {
                group.schedule(() -> resume(port, id, back, deadline), 50, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Connects one client; the first time with a fresh session and a subscription, then to resume it. */
    private Channel connect(int port, String id, boolean fresh, CountDownLatch subscribed, CountDownLatch back) {
        Bootstrap b = new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Handler(id, fresh, subscribed, back));
                    }
                });
        return b.connect("127.0.0.1", port).channel();
    }

    /** One client's exchange: CONNECT, then SUBSCRIBE (fresh) or the resumed session's CONNACK. */
    private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
        static final io.netty.util.AttributeKey<Boolean> RESUMED = io.netty.util.AttributeKey.valueOf("resumed");
        private final String id;
        private final boolean fresh;
        private final CountDownLatch subscribed;
        private final CountDownLatch back;

        Handler(String id, boolean fresh, CountDownLatch subscribed, CountDownLatch back) {
            this.id = id;
            this.fresh = fresh;
            this.subscribed = subscribed;
            this.back = back;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(ClientCodec.connect(ctx.alloc(), true, id, KEEP_ALIVE_SECONDS, 3600, fresh));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
            // Small packets that arrive whole on loopback: CONNACK and SUBACK are all this client waits for.
            int type = in.getUnsignedByte(in.readerIndex()) >>> 4;
            if (type == ClientCodec.CONNACK && in.readableBytes() >= 4) {
                boolean present = (in.getUnsignedByte(in.readerIndex() + 2) & 1) != 0;
                int code = in.getUnsignedByte(in.readerIndex() + 3);
                if (code != 0) {
                    ctx.close();
                } else if (fresh) {
                    ctx.writeAndFlush(ClientCodec.subscribe(ctx.alloc(), true, 1, "failover/" + id, 1));
                } else if (present) {
                    if (killedNanos != 0) {
                        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killedNanos);
                        synchronized (resumed) {
                            resumed.recordValue(Math.min(micros, resumed.getHighestTrackableValue()));
                        }
                    }
                    ctx.channel().attr(RESUMED).set(true);
                    connected.put(id, ctx.channel());
                    back.countDown();
                } else {
                    // A CONNACK without the session: it was lost (a new, empty one stands in its place now), and
                    // trying again would only find that new one.
                    if (killedNanos == 0) {
                        throw new IllegalStateException("client " + id + " found its session gone while warming up");
                    }
                    lost.incrementAndGet();
                    ctx.channel().attr(RESUMED).set(true); // no retry
                    back.countDown();
                    ctx.close();
                }
            } else if (type == ClientCodec.SUBACK && fresh) {
                subscribed.countDown();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
