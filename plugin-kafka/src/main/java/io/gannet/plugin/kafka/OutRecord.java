package io.gannet.plugin.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A record on its way to Kafka, with what waits for it.
 *
 * @param sent          completed when Kafka has it ({@code acks=all}), or failed; {@code null} when nobody waits
 * @param metrics       the counters of the mapping that made it
 * @param receivedNanos when the broker received the message, for the produce latency
 * @param bytes         roughly what the record holds in memory (key, value, headers), counted against the bound
 */
record OutRecord(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> sent, MappingMetrics metrics,
                 long receivedNanos, long bytes) {

    OutRecord(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> sent, MappingMetrics metrics,
              long receivedNanos) {
        this(record, sent, metrics, receivedNanos, sizeOf(record));
    }

    private static long sizeOf(ProducerRecord<byte[], byte[]> record) {
        long n = 64;
        if (record.key() != null) {
            n += record.key().length;
        }
        if (record.value() != null) {
            n += record.value().length;
        }
        for (Header h : record.headers()) { // no array copy, as toArray() makes
            n += h.key().length() + (h.value() == null ? 0 : h.value().length) + 16;
        }
        return n;
    }
}
