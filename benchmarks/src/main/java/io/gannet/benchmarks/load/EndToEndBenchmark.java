package io.gannet.benchmarks.load;

import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A broker embedded in the benchmark JVM, on loopback, with one publisher and one subscriber driven from here:
 * messages per second end to end, through real sockets, for QoS 0, 1 and 2. Each operation is one message; an
 * invocation publishes a batch and waits until the subscriber has all of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class EndToEndBenchmark {
    static final int BATCH = 1000;

    @Param({"0", "1", "2"})
    int qos;

    @Param({"16"})
    int payload;

    private Broker broker;
    private EventLoopGroup clients;
    private BenchConnection publisher;
    private final Stats stats = new Stats();

    @Setup(Level.Trial)
    public void start() throws Exception {
        GannetConfig config = ConfigLoader.fromMap(Map.of("sys", Map.of("interval-seconds", 0),
                        "network", Map.of("io-threads", 1)))
                .withListeners(List.of(new ListenerConfig("bench", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).start();
        int port = broker.address("bench").getPort();
        clients = Transport.select("auto").newGroup(1, "bench-clients");
        Bootstrap b = new Bootstrap().group(clients)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        BenchConnection subscriber = new BenchConnection(new BenchConnection.Role("e2e-sub", null, "e2e/topic"),
                true, qos, payload, 64, 60, stats);
        b.clone().handler(subscriber).connect("127.0.0.1", port);
        subscriber.ready.get(10, TimeUnit.SECONDS);
        publisher = new BenchConnection(new BenchConnection.Role("e2e-pub", ClientCodec.utf8("e2e/topic"), null),
                true, qos, payload, 64, 60, stats);
        b.clone().handler(publisher).connect("127.0.0.1", port);
        publisher.ready.get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void stop() {
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        broker.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long publishAndReceive() {
        long target = stats.receivedAll() + BATCH;
        publisher.channel().eventLoop().execute(() -> publisher.publish(BATCH));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stats.receivedAll() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the subscriber did not get the batch within 30 s");
            }
            LockSupport.parkNanos(10_000);
        }
        return target;
    }
}
