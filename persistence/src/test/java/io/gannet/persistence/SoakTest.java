package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.testing.RawClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker process, as the distribution runs it (persistence on), under churning clients for
 * {@code gannet.soak.seconds} (120 in the build; run it longer on demand, see docs/security.md): 3.1.1 and 5.0
 * clients connect, subscribe, publish at every QoS (retained too), leave wills, close cleanly or by reset, and leave
 * persistent sessions behind that expire. Its resident memory, open files and Netty memory are sampled throughout
 * and must not grow once warmed up; open files must come back to where they started once the clients are gone; and
 * Netty's leak detector, at PARANOID in the broker, must find nothing.
 */
class SoakTest {
    private static final long SECONDS = Long.getLong("gannet.soak.seconds", 120);
    private static final int THREADS = 2;
    private static final long MIB = 1 << 20;

    @TempDir
    Path home;

    /** One sample of the broker's resources. */
    record Sample(long atSeconds, long rssBytes, long openFiles, long nettyBytes, long heapBytes, long cycles) {
    }

    @Test
    void churningClientsLeaveNoGrowth() throws Exception {
        try (BrokerProcess broker = new BrokerProcess(home, "sync: os", 1).paranoidLeakDetection()
                // The whole heap committed and touched at start: the heap's own growth is not mistaken for a leak.
                .jvmArgs("-Xms512m", "-XX:+AlwaysPreTouch").start()) {
            Map<String, String> sys = new ConcurrentHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong cycles = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread watcher = new Thread(() -> watchSys(broker.port(), sys, running, failure), "soak-sys");
            watcher.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> sys.containsKey("netty/direct-memory"));
            long baselineFiles = openFiles(broker.pid());

            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    try {
                        for (long n = 0; running.get(); n++) {
                            cycle(broker.port(), thread, n);
                            cycles.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        running.set(false);
                    }
                }, "soak-load-" + t);
                th.start();
                load.add(th);
            }

            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            long end = start + SECONDS * 1_000_000_000L;
            while (System.nanoTime() < end && running.get()) {
                long at = (System.nanoTime() - start) / 1_000_000_000L;
                // Sampling at a pace is the point here, not waiting for an event.
                await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
                samples.add(new Sample(at, rss(broker.pid()), openFiles(broker.pid()),
                        Long.parseLong(sys.getOrDefault("netty/direct-memory", "0"))
                                + Long.parseLong(sys.getOrDefault("netty/heap-memory", "0")),
                        Long.parseLong(sys.getOrDefault("heap/current", "0")), cycles.get()));
            }
            running.set(false);
            for (Thread th : load) {
                th.join(30_000);
            }
            report(samples, baselineFiles);
            assertThat(failure.get()).as("the clients saw no error").isNull();
            assertThat(cycles.get()).as("the load ran").isGreaterThan(SECONDS);

            // Every client is gone: the broker holds no more sockets than before the load.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(openFiles(broker.pid())).isLessThanOrEqualTo(baselineFiles + 5));
            // Warmed up after the first quarter: from then on nothing may keep growing.
            int n = samples.size();
            List<Sample> early = samples.subList(n / 4, n / 2);
            List<Sample> late = samples.subList(3 * n / 4, n);
            assertThat(median(late, Sample::rssBytes)).as("resident memory")
                    .isLessThanOrEqualTo(median(early, Sample::rssBytes) * 5 / 4 + 32 * MIB);
            assertThat(median(late, Sample::nettyBytes)).as("Netty's pooled memory")
                    .isLessThanOrEqualTo(Math.max(median(early, Sample::nettyBytes) * 3 / 2, 16 * MIB));
            assertThat(median(late, Sample::openFiles)).as("open files")
                    .isLessThanOrEqualTo(max(early, Sample::openFiles) + 20);
            assertThat(broker.output()).as("Netty's leak detector in the broker").doesNotContain("LEAK:");
            watcher.join(10_000);
        }
    }

    /** One client's life, and a publisher's: varied by {@code n} so that every path is taken over and over. */
    private static void cycle(int port, int thread, long n) throws IOException {
        boolean v5 = n % 2 == 0;
        MqttVersion version = v5 ? MqttVersion.V5 : MqttVersion.V3_1_1;
        boolean persistent = n % 3 == 0;
        // 3.1.1 persistent sessions never expire: their ids come from a small pool, so that their number is bounded.
        String subId = persistent && !v5 ? "soak-v3-" + thread + "-" + n % 10 : "soak-" + thread + "-" + n + "-s";
        MqttProperties expiry = persistent && v5
                ? MqttProperties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 2).build() : MqttProperties.EMPTY;
        String prefix = "soak/" + thread + "/" + (n % 20);
        RawClient sub = new RawClient(port).readTimeout(Duration.ofSeconds(10));
        sub.send(new Connect(version, subId, !persistent, 30, null, null, null, expiry), version);
        sub.readUntil(PacketType.CONNACK);
        sub.send(new Subscribe(1, List.of(new Subscribe.TopicSubscription(prefix + "/#", 1, false, false, 0)),
                MqttProperties.EMPTY), version);
        sub.readUntil(PacketType.SUBACK);

        Connect.Will will = n % 4 == 1 ? new Connect.Will(prefix + "/will", "gone".getBytes(StandardCharsets.UTF_8),
                1, false, MqttProperties.EMPTY) : null;
        RawClient pub = new RawClient(port).readTimeout(Duration.ofSeconds(10));
        pub.send(new Connect(version, "soak-" + thread + "-" + n + "-p", true, 30, null, null, will,
                MqttProperties.EMPTY), version);
        pub.readUntil(PacketType.CONNACK);
        for (int i = 1; i <= 10; i++) {
            int qos = i % 3;
            boolean retain = i == 1;
            byte[] payload = ("m" + n + "-" + i + "-" + "x".repeat((int) (n % 7) * 100)).getBytes(StandardCharsets.UTF_8);
            pub.send(new Publish(prefix + (retain ? "/r" : "/" + i % 4), qos, false, retain, qos == 0 ? 0 : i,
                    MqttProperties.EMPTY, payload), version);
            if (qos == 1) {
                pub.readUntil(PacketType.PUBACK);
            } else if (qos == 2) {
                pub.readUntil(PacketType.PUBREC);
                pub.send(new PubRel(i), version);
                pub.readUntil(PacketType.PUBCOMP);
            }
        }
        if (will != null) {
            pub.abort(); // no DISCONNECT: the will goes out
        } else {
            pub.send(new io.gannet.broker.codec.Disconnect(0, MqttProperties.EMPTY), version);
            pub.abort();
        }
        // The subscriber takes what came (acknowledging QoS 1), then leaves; a persistent one keeps the rest queued.
        sub.readTimeout(Duration.ofMillis(persistent ? 20 : 100));
        try {
            for (int i = 0; i < 20; i++) {
                RawClient.RawPacket p = sub.read();
                if (p.type() == PacketType.PUBLISH && p.qos() == 1) {
                    sub.send(new PubAck(p.packetId()), version);
                }
            }
        } catch (SocketTimeoutException quiet) {
            // nothing more for now
        }
        sub.abort();
    }

    /** Keeps the latest value of each $SYS/broker topic; pings so that the keep-alive holds. */
    private static void watchSys(int port, Map<String, String> sys, AtomicBoolean running,
                                 AtomicReference<Throwable> failure) {
        try (RawClient c = new RawClient(port)) {
            c.send(new Connect(MqttVersion.V5, "soak-sys", true, 0, null, null, null, MqttProperties.EMPTY),
                    MqttVersion.V5);
            c.readUntil(PacketType.CONNACK);
            c.send(new Subscribe(1, List.of(new Subscribe.TopicSubscription("$SYS/broker/#", 0, false, false, 0)),
                    MqttProperties.EMPTY), MqttVersion.V5);
            c.readTimeout(Duration.ofSeconds(2));
            while (running.get()) {
                try {
                    RawClient.RawPacket p = c.read();
                    if (p.type() == PacketType.PUBLISH) {
                        Publish publish = (Publish) p.decode(MqttVersion.V5);
                        sys.put(publish.topic().substring("$SYS/broker/".length()),
                                new String(publish.payload(), StandardCharsets.UTF_8));
                    }
                } catch (SocketTimeoutException quiet) {
                    // $SYS publishes only values that changed
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            running.set(false);
        }
    }

    /**
     * Resident anonymous memory: heap, direct buffers, native allocations. Not the pages of memory-mapped files (the
     * journal's), which the kernel keeps resident or drops as it likes.
     */
    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no RssAnon for " + pid);
    }

    private static long openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    private static long median(List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
        long[] v = samples.stream().mapToLong(value).sorted().toArray();
        return v[v.length / 2];
    }

    private static long max(List<Sample> samples, java.util.function.ToLongFunction<Sample> value) {
        return samples.stream().mapToLong(value).max().orElseThrow();
    }

    /** Prints the samples (surefire keeps them in the test's output file) for whoever reads a failure. */
    private static void report(List<Sample> samples, long baselineFiles) {
        System.out.printf("soak: %d s, open files before the load %d%n", SECONDS, baselineFiles);
        System.out.println("  s  anon RSS MiB  files  Netty MiB  heap MiB  cycles");
        for (Sample s : samples) {
            System.out.printf("%4d  %12d  %5d  %9d  %8d  %6d%n", s.atSeconds(), s.rssBytes() / MIB, s.openFiles(),
                    s.nettyBytes() / MIB, s.heapBytes() / MIB, s.cycles());
        }
    }
}
