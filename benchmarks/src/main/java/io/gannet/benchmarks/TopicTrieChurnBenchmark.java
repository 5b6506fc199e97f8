package io.gannet.benchmarks;

import io.gannet.broker.topic.TopicTrie;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matching while subscriptions change: one thread subscribes and unsubscribes (as connecting and leaving clients
 * do), another matches, on a trie of 100,000 filters. Shows what writers cost the lock-free readers (ADR 5).
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TopicTrieChurnBenchmark {
    private static final String[] METRICS = {"temp", "humidity", "status", "battery", "rssi"};

    @Param({"100000"})
    public int filters;

    private TopicTrie<Object[]> trie;
    private String[] topics;
    private String[] churnFilters;
    private Object[][] churnEntries;

    @Setup
    public void setup() {
        Random r = new Random(42);
        trie = new TopicTrie<>(e -> e[0]);
        int sites = Math.max(1, filters / 1000);
        for (int i = 0; i < filters; i++) {
            trie.add("site/" + r.nextInt(sites) + "/device/" + r.nextInt(1000) + "/"
                    + METRICS[r.nextInt(METRICS.length)], new Object[] {new Object()});
        }
        topics = new String[4096];
        churnFilters = new String[4096];
        churnEntries = new Object[4096][];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "site/" + r.nextInt(sites) + "/device/" + r.nextInt(1000) + "/"
                    + METRICS[r.nextInt(METRICS.length)];
            churnFilters[i] = "site/" + r.nextInt(sites) + "/device/" + r.nextInt(1000) + "/+";
            churnEntries[i] = new Object[] {new Object()};
        }
    }

    /** Per-thread cursor and match counter. */
    @State(Scope.Thread)
    public static class Cursor implements Consumer<Object[]> {
        int next;
        int count;

        @Override
        public void accept(Object[] entry) {
            count++;
        }
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public int subscribeAndUnsubscribe(Cursor c) {
        int i = c.next++ & (churnFilters.length - 1);
        trie.add(churnFilters[i], churnEntries[i]);
        trie.remove(churnFilters[i], churnEntries[i][0]);
        return i;
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public int match(Cursor c) {
        c.count = 0;
        trie.match(topics[c.next++ & (topics.length - 1)], c);
        return c.count;
    }
}
