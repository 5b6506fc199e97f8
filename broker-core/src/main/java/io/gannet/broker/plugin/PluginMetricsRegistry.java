package io.gannet.broker.plugin;

import io.gannet.spi.metrics.Counter;
import io.gannet.spi.metrics.PluginMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every plugin's counters and gauges, by {@code plugins/<plugin>/<name>}, for {@code $SYS}. Counters are
 * {@link LongAdder}s, so that a plugin on the publish path can count without contention.
 */
public final class PluginMetricsRegistry {
    private static final Logger log = LoggerFactory.getLogger(PluginMetricsRegistry.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+(/[a-z0-9_-]+)*");

    private final Map<String, LongSupplier> values = new ConcurrentSkipListMap<>();
    private final Map<String, AdderCounter> counters = new ConcurrentHashMap<>();

    /** The view one plugin registers its metrics through. */
    PluginMetrics forPlugin(String plugin) {
        String prefix = "plugins/" + plugin + "/";
        return new PluginMetrics() {
            @Override
            public Counter counter(String name) {
                String key = prefix + checked(name);
                AdderCounter c = counters.computeIfAbsent(key, k -> {
                    if (values.containsKey(k)) {
                        throw new IllegalArgumentException("metric '" + name + "' is already a gauge");
                    }
                    AdderCounter created = new AdderCounter();
                    values.put(k, created::value);
                    return created;
                });
                return c;
            }

            @Override
            public void gauge(String name, LongSupplier value) {
                String key = prefix + checked(name);
                if (counters.containsKey(key)) {
                    throw new IllegalArgumentException("metric '" + name + "' is already a counter");
                }
                values.put(key, java.util.Objects.requireNonNull(value, "value"));
            }
        };
    }

    private static String checked(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name '" + name + "' is not valid: use lower case letters, "
                    + "digits, '-', '_', and '/' between parts");
        }
        return name;
    }

    /** Visits every metric with its current value, in name order; a gauge that throws is left out and logged. */
    public void forEach(BiConsumer<String, Long> action) {
        values.forEach((name, supplier) -> {
            long v;
            try {
                v = supplier.getAsLong();
            } catch (RuntimeException | LinkageError e) {
                log.warn("Plugin gauge {} failed: {}", name, e.toString());
                return;
            }
            action.accept(name, v);
        });
    }

    private static final class AdderCounter implements Counter {
        private final LongAdder adder = new LongAdder();

        @Override
        public void increment() {
            adder.increment();
        }

        @Override
        public void add(long amount) {
            if (amount < 0) {
                throw new IllegalArgumentException("a counter only goes up; got " + amount);
            }
            adder.add(amount);
        }

        @Override
        public long value() {
            return adder.sum();
        }
    }
}
