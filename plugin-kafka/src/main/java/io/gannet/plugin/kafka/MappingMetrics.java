package io.gannet.plugin.kafka;

import io.gannet.spi.metrics.Counter;
import io.gannet.spi.metrics.PluginMetrics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mapping's figures, under {@code $SYS/broker/plugins/kafka/<to-kafka|from-kafka>/<mapping>/}: records and bytes
 * moved, errors, drops, and (to Kafka) the records taken from MQTT and the mean produce latency of the records Kafka
 * acknowledged since the figures were last published.
 */
final class MappingMetrics {
    /** To Kafka: records taken from MQTT and queued for Kafka; those not yet in Kafka are this less records. */
    final Counter accepted;
    final Counter records;
    final Counter bytes;
    final Counter errors;
    final Counter dropped;
    /**
     * To Kafka, {@code at-once} mappings: acknowledgements that waited after all, because memory was full while Kafka
     * answered more slowly than messages came, or because the disk buffer was behind.
     */
    final Counter held;
    private final AtomicLong latencyMicros = new AtomicLong();
    private final AtomicLong latencyCount = new AtomicLong();

    MappingMetrics(PluginMetrics metrics, String direction, String mapping) {
        String prefix = direction + "/" + mapping + "/";
        accepted = metrics.counter(prefix + "accepted");
        records = metrics.counter(prefix + "records");
        bytes = metrics.counter(prefix + "bytes");
        errors = metrics.counter(prefix + "errors");
        dropped = metrics.counter(prefix + "dropped");
        held = metrics.counter(prefix + "held");
        if (direction.equals("to-kafka")) {
            metrics.gauge(prefix + "produce-latency-us", this::meanLatencyMicros);
        }
    }

    /** A record Kafka acknowledged, {@code nanos} after the broker received its message. */
    void produced(long valueBytes, long nanos) {
        records.increment();
        bytes.add(valueBytes);
        latencyMicros.addAndGet(nanos / 1000);
        latencyCount.incrementAndGet();
    }

    private long meanLatencyMicros() {
        long n = latencyCount.getAndSet(0);
        long sum = latencyMicros.getAndSet(0);
        return n == 0 ? 0 : sum / n;
    }
}
