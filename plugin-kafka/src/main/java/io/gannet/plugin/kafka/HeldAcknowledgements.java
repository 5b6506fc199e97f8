package io.gannet.plugin.kafka;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * The {@code at-once} records whose publisher's acknowledgement waits for Kafka's answer, but only while Kafka keeps
 * up (ADR 14, second addendum), oldest first. Event loops add them; the sender thread forgets those Kafka answered
 * and, once Kafka has stalled, releases the rest: their publishers were to wait for a slow Kafka, not for an absent
 * one, and the records then wait in memory like any other.
 */
final class HeldAcknowledgements {
    private final ConcurrentLinkedQueue<OutRecord> records = new ConcurrentLinkedQueue<>();

    /** {@code r.sent()} is what the publisher's acknowledgement waits for. */
    void add(OutRecord r) {
        records.add(r);
    }

    /**
     * Forgets the answered records at the head; if any other waits and {@code stalled} says Kafka has stalled,
     * releases every one. Sender thread.
     */
    void settle(BooleanSupplier stalled) {
        OutRecord r;
        while ((r = records.peek()) != null && r.sent().isDone()) {
            records.poll();
        }
        if (r != null && stalled.getAsBoolean()) {
            while ((r = records.poll()) != null) {
                r.sent().complete(null);
            }
        }
    }
}
