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
 * @param bytes         roughly what the record holds on the heap while it waits, counted against the bound
 */
record OutRecord(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> sent, MappingMetrics metrics,
                 long receivedNanos, long bytes) {
    /**
     * The objects of a record apart from its arrays: the {@code ProducerRecord}, its header list, this record, the
     * queue's node, a completion, and the producer's own per-record bookkeeping (its future, callback and thunk).
     * Counting only the payload let 64 MiB of 16-byte records take several hundred MiB of heap, and under overload
     * the collector then took the cores the bridge needed (ADR 14, addendum).
     */
    private static final long RECORD_OVERHEAD = 384;
    /** A header's objects apart from its name's characters and its value's bytes. */
    private static final long HEADER_OVERHEAD = 56;
    /** An array's header. */
    private static final long ARRAY_OVERHEAD = 16;

    OutRecord(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> sent, MappingMetrics metrics,
              long receivedNanos) {
        this(record, sent, metrics, receivedNanos, sizeOf(record));
    }

    private static long sizeOf(ProducerRecord<byte[], byte[]> record) {
        long n = RECORD_OVERHEAD;
        if (record.key() != null) {
            n += ARRAY_OVERHEAD + record.key().length;
        }
        if (record.value() != null) {
            n += ARRAY_OVERHEAD + record.value().length;
        }
        for (Header h : record.headers()) { // no array copy, as toArray() makes
            n += HEADER_OVERHEAD + h.key().length() + (h.value() == null ? 0 : ARRAY_OVERHEAD + h.value().length);
        }
        return n;
    }
}
