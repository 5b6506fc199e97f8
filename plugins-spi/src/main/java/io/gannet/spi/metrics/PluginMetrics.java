package io.gannet.spi.metrics;

import io.gannet.spi.DoNotImplement;
import io.gannet.spi.Stable;
import java.util.function.LongSupplier;

/**
 * A plugin's own metrics. The broker publishes each one with its {@code $SYS} statistics, as
 * {@code $SYS/broker/plugins/<plugin>/<name>}, every {@code sys.interval-seconds}.
 *
 * <p>Names are lower case letters, digits, {@code -}, {@code _} and {@code /} (for grouping, as in
 * {@code kafka/records/sent}); each name is either a counter or a gauge.
 *
 * @since 1.0
 */
@Stable
@DoNotImplement
public interface PluginMetrics {
    /**
     * The counter with this name, created at 0 the first time.
     *
     * @throws IllegalArgumentException if the name is not valid or is a gauge
     */
    Counter counter(String name);

    /**
     * Registers (or replaces) a gauge: a value read when the metrics are published, such as a queue length. The
     * supplier is called on a broker thread: it must be quick and thread-safe.
     *
     * @throws IllegalArgumentException if the name is not valid or is a counter
     */
    void gauge(String name, LongSupplier value);
}
