package io.gannet.benchmarks;

import io.gannet.broker.session.Subscription;
import io.gannet.broker.shared.SharedGroup;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.TopicTrie;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code TopicTrie.match} over a realistic IoT tree, {@code site/S/device/D/METRIC}, of 10,000 to 1,000,000 filters:
 * exact, with a '+' level, ending in '#', or mixed (60 % / 30 % / 10 %); or {@code shared}: as many
 * shared-subscription groups ({@code $share/g/site/S/device/+/METRIC}), matched through {@link SharedSubscriptions},
 * whose groups live in a trie of the same type. Each call matches a different topic from a pre-built list; run with
 * {@code -prof gc} to see that matching allocates nothing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class TopicTrieBenchmark {
    private static final String[] METRICS = {"temp", "humidity", "status", "battery", "rssi"};

    @Param({"10000", "100000", "1000000"})
    public int filters;

    /**
     * The filters: {@code exact} topics, one {@code plus} level, a trailing {@code hash}, {@code mixed} (60 %
     * exact, 30 % plus, 10 % hash, the default), or {@code shared} groups with one {@code plus} level.
     */
    @Param({"mixed", "exact", "plus", "hash", "shared"})
    public String shape;

    private TopicTrie<Object[]> trie;
    private SharedSubscriptions shared;
    private final GroupCounter groups = new GroupCounter();
    private String[] topics;
    private int next;
    private final Counter counter = new Counter();

    /** Counts matches; one reused instance, as the broker reuses its fan-out collector. */
    static final class Counter implements Consumer<Object[]> {
        int count;

        @Override
        public void accept(Object[] entry) {
            count++;
        }
    }

    /** Counts matching shared-subscription groups. */
    static final class GroupCounter implements Consumer<SharedGroup> {
        int count;

        @Override
        public void accept(SharedGroup group) {
            count++;
        }
    }

    @Setup
    public void setup() {
        if ("shared".equals(shape)) {
            shared = new SharedSubscriptions();
        }
        Random r = new Random(42);
        trie = new TopicTrie<>(e -> e[0]);
        int sites = Math.max(1, filters / 1000);
        for (int i = 0; i < filters; i++) {
            int site = r.nextInt(sites);
            int device = r.nextInt(1000);
            String metric = METRICS[r.nextInt(METRICS.length)];
            int kind = switch (shape) {
                case "exact" -> 0;
                case "plus" -> 6;
                case "hash" -> 9;
                default -> r.nextInt(10);
            };
            String filter = kind < 6 ? "site/" + site + "/device/" + device + "/" + metric
                    : kind < 9 ? "site/" + site + "/device/+/" + metric
                    : "site/" + site + "/device/" + device + "/#";
            if (shared != null) {
                String group = "site/" + site + "/device/+/" + metric;
                shared.add(new Subscription(null, group, 1, false, false, 0, 0, "g" + (i % 8)));
            } else {
                trie.add(filter, new Object[] {new Object()});
            }
        }
        topics = new String[4096];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "site/" + r.nextInt(sites) + "/device/" + r.nextInt(1000) + "/"
                    + METRICS[r.nextInt(METRICS.length)];
        }
    }

    @Benchmark
    public int match() {
        String topic = topics[next++ & (topics.length - 1)];
        if (shared != null) {
            groups.count = 0;
            shared.match(topic, groups);
            return groups.count;
        }
        counter.count = 0;
        trie.match(topic, counter);
        return counter.count;
    }
}
