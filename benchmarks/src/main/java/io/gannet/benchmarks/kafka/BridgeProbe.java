package io.gannet.benchmarks.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka side of the bridge benchmark (`benchmarks/kafka-bridge.sh`): reads a topic while the load runs, and
 * reports the records Kafka delivered in the measured window per second, and their latency from the broker
 * receiving the MQTT message (the record's timestamp, set by the bridge) to this consumer reading it.
 *
 * <pre>java -cp 'kafka-lib/*:lib/bench/*' io.gannet.benchmarks.kafka.BridgeProbe BOOTSTRAP TOPIC WARMUP_S DURATION_S</pre>
 */
public final class BridgeProbe {
    private BridgeProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: BridgeProbe BOOTSTRAP TOPIC WARMUP_SECONDS DURATION_SECONDS");
            System.exit(2);
        }
        String bootstrap = args[0];
        String topic = args[1];
        long warmupMillis = Long.parseLong(args[2]) * 1000;
        long durationMillis = Long.parseLong(args[3]) * 1000;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bridge-probe-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Histogram latency = new Histogram(3_600_000L, 3);
        long start = System.currentTimeMillis();
        long measureFrom = start + warmupMillis;
        long measureUntil = measureFrom + durationMillis;
        long measured = 0;
        long bytes = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long now = start;
            while (now < measureUntil) {
                var records = consumer.poll(Duration.ofMillis(100));
                now = System.currentTimeMillis();
                if (now < measureFrom || now >= measureUntil) {
                    continue;
                }
                // Every record Kafka delivers in the window counts, also one the broker received before it: when
                // the bridge acknowledges faster than Kafka takes records (at-once, after-buffer), a backlog builds
                // up, and this is then the rate at which Kafka takes them, its latency the backlog's age.
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    measured++;
                    bytes += r.value() == null ? 0 : r.value().length;
                    latency.recordValue(Math.max(0, Math.min(now - r.timestamp(), 3_600_000L)));
                }
            }
        }
        double seconds = durationMillis / 1000.0;
        System.out.printf(Locale.ROOT, "records %d in %.0f s: %.0f records/s, %.1f MB/s; latency from broker to "
                        + "consumer ms p50 %d p99 %d max %d%n", measured, seconds, measured / seconds,
                bytes / seconds / 1e6, latency.getValueAtPercentile(50), latency.getValueAtPercentile(99),
                latency.getMaxValue());
    }
}
