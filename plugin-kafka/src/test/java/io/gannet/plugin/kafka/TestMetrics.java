package io.gannet.plugin.kafka;

import io.gannet.spi.metrics.Counter;
import io.gannet.spi.metrics.PluginMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The broker's metrics as a plugin sees them, held here to be read back by name. */
final class TestMetrics implements PluginMetrics {
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name) {
        AtomicLong v = counters.computeIfAbsent(name, n -> new AtomicLong());
        return new Counter() {
            @Override
            public void increment() {
                v.incrementAndGet();
            }

            @Override
            public void add(long amount) {
                v.addAndGet(amount);
            }

            @Override
            public long value() {
                return v.get();
            }
        };
    }

    @Override
    public void gauge(String name, LongSupplier value) {
    }

    long value(String name) {
        return counters.getOrDefault(name, new AtomicLong()).get();
    }
}
