package io.gannet.benchmarks.load;

import io.gannet.broker.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gannet-bench}: puts a given MQTT broker under load and reports messages per second sent and received,
 * loss, end-to-end latency percentiles and the CPU time both sides used. Works against any broker on host:port.
 *
 * <p>Every phase is bounded in time: connecting (per connection and overall), warm-up, measurement, draining.
 */
@Command(name = "gannet-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load generator for MQTT brokers: pairs, fanin, fanout, shared, conns.")
public final class LoadGenerator implements Callable<Integer> {
    @Option(names = "--scenario", description = "pairs | fanin | publish | fanout | shared | conns (default ${DEFAULT-VALUE})")
    String scenario = "pairs";
    @Option(names = "--host", description = "the broker's host (default ${DEFAULT-VALUE})")
    String host = "127.0.0.1";
    @Option(names = "--port", description = "the broker's port (default 1883, or 8883 with --tls)")
    int port = -1;
    @Option(names = "--subscriber-port", description = "subscribers connect to this port, publishers to --port: "
            + "across two nodes of a cluster (default: --port)")
    int subscriberPort = -1;
    @Option(names = "--tls", description = "connect over TLS")
    boolean tls;
    @Option(names = "--insecure", description = "with --tls: trust any server certificate (test setups)")
    boolean insecure;
    @Option(names = "--ca", description = "with --tls: a PEM file of CA certificates to trust")
    Path ca;
    @Option(names = "--mqtt", description = "protocol version: 3 (3.1.1) or 5 (default ${DEFAULT-VALUE})")
    int mqttVersion = 5;
    @Option(names = {"-n", "--clients"}, description = "pairs / publishers / subscribers / connections, by "
            + "scenario (default ${DEFAULT-VALUE})")
    int clients = 10;
    @Option(names = "--group-members", description = "shared: members of the shared subscription group "
            + "(default ${DEFAULT-VALUE})")
    int groupMembers = 4;
    @Option(names = "--qos", description = "0, 1 or 2 (default ${DEFAULT-VALUE})")
    int qos = 0;
    @Option(names = "--payload", description = "payload bytes, at least 8 (default ${DEFAULT-VALUE})")
    int payload = 16;
    @Option(names = "--rate", description = "messages per second, all publishers together; 0 = as fast as the "
            + "broker takes them (default ${DEFAULT-VALUE})")
    double rate = 0;
    @Option(names = "--inflight", description = "QoS 1 and 2: unacknowledged messages per publisher (default "
            + "${DEFAULT-VALUE})")
    int inflight = 20;
    @Option(names = "--window", description = "with no --rate: messages per publisher sent and not yet delivered "
            + "to every subscriber, at the most; bounds what the broker buffers (default ${DEFAULT-VALUE})")
    int window = 500;
    @Option(names = "--warmup", description = "seconds before measuring (default ${DEFAULT-VALUE})")
    int warmupSeconds = 5;
    @Option(names = "--duration", description = "seconds measured (conns: seconds held) (default ${DEFAULT-VALUE})")
    int durationSeconds = 10;
    @Option(names = "--threads", description = "event loop threads (default: the number of cores)")
    int threads = Runtime.getRuntime().availableProcessors();
    @Option(names = "--connect-rate", description = "new connections per second (default ${DEFAULT-VALUE})")
    int connectRate = 1000;
    @Option(names = "--source-addresses", description = "spread connections over this many local addresses "
            + "127.0.0.1, .2, ... (loopback only), to avoid running out of ports (default ${DEFAULT-VALUE})")
    int sourceAddresses = 1;
    @Option(names = "--session-expiry", description = "subscribers keep persistent sessions that outlive their "
            + "connection this many seconds (5.0: Session Expiry Interval with Clean Start; 3.1.1: clean session 0), "
            + "so that a broker with persistence journals what they receive; 0 = clean sessions (default "
            + "${DEFAULT-VALUE})")
    long sessionExpiry = 0;
    @Option(names = "--broker-pid", split = ",", description = "the broker's process id, to report its CPU time "
            + "and memory; several, comma-separated, for the nodes of a cluster: their CPU time is added up, the "
            + "memory is the first one's")
    long[] brokerPids = {};
    @Option(names = "--json", description = "also write the results to this file as JSON")
    Path json;
    @Option(names = "--label", description = "a name for this run in the JSON output")
    String label = "";

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    private void check() {
        try {
            Scenario.valueOf(scenario.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--scenario must be one of pairs, publish, "
                    + "fanin, fanout, shared, conns; not '" + scenario + "'");
        }
        if (mqttVersion != 3 && mqttVersion != 5) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--mqtt must be 3 or 5");
        }
        if (qos < 0 || qos > 2) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--qos must be 0, 1 or 2");
        }
        if (payload < 8 || clients < 1 || groupMembers < 1 || durationSeconds < 1 || warmupSeconds < 0
                || threads < 1 || connectRate < 1 || window < 1 || sourceAddresses < 1 || sourceAddresses > 250
                || rate < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--payload must be at least 8; "
                    + "--clients, --group-members, --duration, --threads, --connect-rate, --window at least 1; "
                    + "--source-addresses 1 to 250; --rate and --warmup not negative");
        }
        if (port < 0) {
            port = tls ? 8883 : 1883;
        }
        if (subscriberPort < 0) {
            subscriberPort = port;
        }
        brokerPid = brokerPids.length > 0 ? brokerPids[0] : -1;
    }

    /** The first broker's process id, for its memory; -1 for none. */
    private long brokerPid = -1;

    /** The CPU seconds of every broker process given, added up; -1 for none. */
    private double brokerCpuSeconds() {
        double sum = brokerPids.length == 0 ? -1 : 0;
        for (long pid : brokerPids) {
            double cpu = ProcessStats.cpuSeconds(pid);
            if (cpu < 0) {
                return -1;
            }
            sum += cpu;
        }
        return sum;
    }

    @Override
    public Integer call() throws Exception {
        check();
        Scenario s = Scenario.valueOf(scenario.toUpperCase(Locale.ROOT));
        String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        Scenario.Plan plan = s.plan(clients, groupMembers, run);
        Stats stats = new Stats();
        int keepAlive = s == Scenario.CONNS ? 0 : 60;
        SslContext ssl = !tls ? null : insecure
                ? SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()
                : ca != null ? SslContextBuilder.forClient().trustManager(ca.toFile()).build()
                : SslContextBuilder.forClient().build();
        EventLoopGroup group = Transport.select("auto").newGroup(threads, "gannet-bench");
        Map<EventLoop, Pacer> pacers = new IdentityHashMap<>();
        List<BenchConnection> connections = new ArrayList<>();
        try {
            long rssBefore = brokerPid > 0 ? ProcessStats.rssKib(brokerPid) : -1;
            out.printf(Locale.ROOT, "gannet-bench %s against %s:%d%s, MQTT %s, QoS %d, %d B, %s: %d subscriber(s), "
                            + "%d publisher(s)%n", s.name().toLowerCase(Locale.ROOT), host, port, tls ? " (TLS)" : "",
                    mqttVersion == 5 ? "5.0" : "3.1.1", qos, payload, rate > 0 ? rate + " msg/s" : "max rate",
                    plan.subscribers().size(), plan.publishers().size());
            int deliveries = s.deliveriesPerMessage(clients);
            if (s == Scenario.CONNS) {
                // The broker's memory is read after the first tenth too: growth from there on is the cost of one
                // more connection, without what a process pays once (JIT-compiled code, buffer pools, caches).
                List<BenchConnection.Role> roles = plan.subscribers();
                int first = Math.max(1, roles.size() / 10);
                connect(group, ssl, roles.subList(0, first), port, keepAlive, stats, deliveries, pacers,
                        connections);
                long rssFirst = brokerPid > 0 ? ProcessStats.rssKib(brokerPid) : -1;
                connect(group, ssl, roles.subList(first, roles.size()), port, keepAlive, stats, deliveries,
                        pacers, connections);
                return holdConnections(connections, rssBefore, first, rssFirst);
            }
            connect(group, ssl, plan.subscribers(), subscriberPort, keepAlive, stats, deliveries, pacers,
                    connections);
            connect(group, ssl, plan.publishers(), port, keepAlive, stats, deliveries, pacers, connections);
            return measure(s, plan, stats, pacers, connections);
        } finally {
            for (BenchConnection c : connections) {
                if (c.channel() != null) { // null when its connect failed: the failure is what the run reports
                    c.channel().eventLoop().execute(c::disconnect);
                }
            }
            for (Pacer p : pacers.values()) {
                p.stop();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** Opens the connections at the connect rate and waits (bounded) until each is ready. */
    private void connect(EventLoopGroup group, SslContext ssl, List<BenchConnection.Role> roles, int port,
                         int keepAlive,
                         Stats stats, int deliveries, Map<EventLoop, Pacer> pacers, List<BenchConnection> connections)
            throws Exception {
        if (roles.isEmpty()) {
            return;
        }
        Bootstrap b = new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
        boolean v5 = mqttVersion == 5;
        List<CompletableFuture<BenchConnection>> ready = new ArrayList<>(roles.size());
        long started = System.nanoTime();
        long perConnectionNanos = TimeUnit.SECONDS.toNanos(1) / connectRate;
        for (int i = 0; i < roles.size(); i++) {
            long due = started + i * perConnectionNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the connect rate, not waiting for an event
            }
            BenchConnection c = new BenchConnection(roles.get(i), v5, qos, payload, inflight, keepAlive, stats);
            c.sessionExpiry(sessionExpiry);
            Bootstrap cb = b.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (ssl != null) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
                    }
                    ch.pipeline().addLast(c);
                }
            });
            InetSocketAddress remote = new InetSocketAddress(host, port);
            var connected = sourceAddresses > 1
                    ? cb.connect(remote, new InetSocketAddress("127.0.0." + (1 + i % sourceAddresses), 0))
                    : cb.connect(remote);
            connected.addListener(f -> {
                if (!f.isSuccess()) {
                    c.ready.completeExceptionally(f.cause());
                }
            });
            Channel ch = connected.channel();
            Pacer pacer = pacers.computeIfAbsent(ch.eventLoop(), loop -> new Pacer(loop, keepAlive, stats, deliveries));
            pacer.add(c);
            connections.add(c);
            ready.add(c.ready);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int failed = 0;
        String firstFailure = null;
        for (CompletableFuture<BenchConnection> f : ready) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = e.getCause() == null ? e.toString() : e.getCause().toString();
                }
            }
        }
        if (failed > 0) {
            throw new IllegalStateException(failed + " of " + roles.size() + " connections failed; first: "
                    + firstFailure);
        }
        out.printf(Locale.ROOT, "%d connections ready in %.1f s%n", roles.size(),
                (System.nanoTime() - started) / 1e9);
    }

    private int measure(Scenario s, Scenario.Plan plan, Stats stats, Map<EventLoop, Pacer> pacers,
                        List<BenchConnection> connections) throws Exception {
        int publishers = plan.publishers().size();
        long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long end = start + TimeUnit.SECONDS.toNanos(durationSeconds);
        stats.window(start, end);
        for (Pacer p : pacers.values()) {
            // Each loop's share of the target rate follows its share of the publishers.
            CompletableFuture<Integer> count = new CompletableFuture<>();
            p.loop().execute(() -> count.complete(p.publisherCountOnLoop()));
            p.start(rate * count.get(10, TimeUnit.SECONDS) / publishers, (long) window * publishers);
            p.sending(true);
        }
        double brokerCpuStart = brokerCpuSeconds();
        double ownCpuStart = ProcessStats.ownCpuSeconds();
        long lastSent = 0;
        long lastReceived = 0;
        long origin = start - TimeUnit.SECONDS.toNanos(warmupSeconds);
        for (int second = 1; second <= warmupSeconds + durationSeconds; second++) {
            // A progress line a second: the loop is bounded by the run's length.
            TimeUnit.NANOSECONDS.sleep(Math.max(0, origin + TimeUnit.SECONDS.toNanos(second) - System.nanoTime()));
            if (second == warmupSeconds) { // the measurement window starts now: CPU is counted from here
                brokerCpuStart = brokerCpuSeconds();
                ownCpuStart = ProcessStats.ownCpuSeconds();
            }
            long sent = stats.sentAll();
            long received = stats.receivedAll();
            Histogram h = stats.interval();
            out.printf(Locale.ROOT, "%4d s %-8s sent %,10d/s  received %,10d/s  p50 %8.3f ms  p99 %8.3f ms%n",
                    second, second <= warmupSeconds ? "warm-up" : "measure", sent - lastSent, received - lastReceived,
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
            lastSent = sent;
            lastReceived = received;
        }
        for (Pacer p : pacers.values()) {
            p.sending(false);
        }
        double brokerCpu = brokerPids.length > 0 ? brokerCpuSeconds() - brokerCpuStart : -1;
        double ownCpu = ProcessStats.ownCpuSeconds() - ownCpuStart;
        // Let what was sent in the window arrive: until nothing more comes for a second, at most 10 s.
        long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long before;
        do {
            before = stats.receivedInWindow();
            TimeUnit.SECONDS.sleep(1);
        } while (stats.receivedInWindow() != before && System.nanoTime() < drainDeadline);
        long closed = connections.stream().filter(c -> !c.channel().isActive()).count();
        Result r = Result.of(label, s, this, stats, s.deliveriesPerMessage(clients), brokerCpu, ownCpu, closed);
        r.print(out);
        if (json != null) {
            Files.writeString(json, r.json());
        }
        return closed == 0 ? 0 : 2;
    }

    /**
     * Holds the connections for the run's duration, then reports how many are still open and the broker's RSS
     * growth per connection: over all of them, and over those after the first {@code first}.
     */
    private int holdConnections(List<BenchConnection> connections, long rssBefore, int first, long rssFirst)
            throws Exception {
        TimeUnit.SECONDS.sleep(durationSeconds); // holding idle connections open is the measurement
        long open = connections.stream().filter(c -> c.channel().isActive()).count();
        long rssAfter = brokerPid > 0 ? ProcessStats.rssKib(brokerPid) : -1;
        out.printf(Locale.ROOT, "%d of %d connections still open after %d s%n", open, connections.size(),
                durationSeconds);
        String perConnection = "null";
        String marginal = "null";
        if (rssBefore > 0 && rssAfter > 0) {
            perConnection = String.format(Locale.ROOT, "%.0f", (rssAfter - rssBefore) * 1024.0 / connections.size());
            out.printf(Locale.ROOT, "broker RSS %,d KiB -> %,d KiB: %s bytes per connection%n", rssBefore, rssAfter,
                    perConnection);
            int later = connections.size() - first;
            if (rssFirst > 0 && later > 0) {
                marginal = String.format(Locale.ROOT, "%.0f", (rssAfter - rssFirst) * 1024.0 / later);
                out.printf(Locale.ROOT, "  after the first %,d: %,d KiB -> %,d KiB: %s bytes per connection%n",
                        first, rssFirst, rssAfter, marginal);
            }
        }
        if (json != null) {
            Files.writeString(json, String.format(Locale.ROOT, "{\"label\":\"%s\",\"scenario\":\"conns\","
                            + "\"connections\":%d,\"open\":%d,\"rssBeforeKib\":%d,\"rssAfterKib\":%d,"
                            + "\"bytesPerConnection\":%s,\"firstConnections\":%d,\"rssAfterFirstKib\":%d,"
                            + "\"marginalBytesPerConnection\":%s}%n", label, connections.size(), open, rssBefore,
                    rssAfter, perConnection, first, rssFirst, marginal));
        }
        return open == connections.size() ? 0 : 2;
    }
}
