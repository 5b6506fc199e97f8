package io.gannet.plugin.kafka;

import io.gannet.spi.metrics.Counter;
import io.gannet.spi.metrics.PluginMetrics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

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
    private final DropReport report;

    /** Where a record given up is reported to the broker: the plugin context's {@code messageDropped}. */
    interface DropReport {
        void dropped(String clientId, String topic, int qos, String reason);
    }

    MappingMetrics(PluginMetrics metrics, DropReport report, String direction, String mapping) {
        this.report = report;
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

    /**
     * A record given up after its message was accepted (its acknowledgement, if any, fails or was sent): counted, and
     * reported to the broker, which raises a message-dropped event.
     */
    void dropped(ProducerRecord<byte[], byte[]> record, String reason) {
        Header qos = record.headers().lastHeader(MqttToKafka.QOS_HEADER);
        dropped(text(record, MqttToKafka.CLIENT_ID_HEADER), text(record, MqttToKafka.TOPIC_HEADER),
                qos == null || qos.value().length != 1 ? 0 : qos.value()[0] - '0', reason);
    }

    void dropped(String clientId, String topic, int qos, String reason) {
        dropped.increment();
        report.dropped(clientId, topic, qos, reason);
    }

    private static String text(ProducerRecord<byte[], byte[]> record, String header) {
        Header h = record.headers().lastHeader(header);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    private long meanLatencyMicros() {
        long n = latencyCount.getAndSet(0);
        long sum = latencyMicros.getAndSet(0);
        return n == 0 ? 0 : sum / n;
    }
}
