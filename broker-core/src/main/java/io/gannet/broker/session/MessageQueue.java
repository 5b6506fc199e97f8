package io.gannet.broker.session;

import io.gannet.broker.config.SessionConfig.QueueFullPolicy;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Messages waiting for a session: while its client is offline, is not keeping up, or has a full in-flight
 * window. Bounded by count and by payload bytes; the caller decides what to drop when it is full. Touched only on
 * the session's event loop.
 */
final class MessageQueue {
    // Sized for the common case, an empty queue: ArrayDeque grows by doubling when it must.
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>(1);
    private final int maxMessages;
    private final int maxBytes;
    private long bytes;

    MessageQueue(int maxMessages, int maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return queue.size();
    }

    long bytes() {
        return bytes;
    }

    /** Whether a message of {@code size} payload bytes could ever fit, even with the queue empty. */
    boolean canEverHold(int size) {
        return size <= maxBytes;
    }

    boolean hasRoomFor(int size) {
        return queue.size() < maxMessages && bytes + size <= maxBytes;
    }

    void add(Delivery q) {
        queue.addLast(q);
        bytes += q.bytes();
    }

    /** Puts a message back at the head, ahead of the limits: it was taken out to be sent and could not be. */
    void pushFront(Delivery q) {
        queue.addFirst(q);
        bytes += q.bytes();
    }

    /** Takes back the message just added, when it was added last (its store refused it). */
    void removeLast(Delivery q) {
        if (queue.peekLast() == q) {
            queue.pollLast();
            bytes -= q.bytes();
        }
    }

    Delivery peek() {
        return queue.peekFirst();
    }

    Delivery poll() {
        Delivery q = queue.pollFirst();
        if (q != null) {
            bytes -= q.bytes();
        }
        return q;
    }

    /** Hears of every message the queue drops. */
    interface DropListener {
        /** @param wasQueued whether it had been in the queue (else it is the one offered) */
        void dropped(Delivery d, DropReason reason, boolean wasQueued);
    }

    /**
     * Adds a message, applying the queue-full policy when there is no room; every message dropped is reported.
     * QoS 0 goes first: the new one if it is QoS 0, else the oldest queued QoS 0 message.
     *
     * @return false if the new message was dropped (with {@link QueueFullPolicy#DISCONNECT}, the caller then
     *         disconnects the slow client)
     */
    boolean offer(Delivery q, QueueFullPolicy policy, DropListener drops) {
        int size = q.bytes();
        if (!canEverHold(size)) {
            drops.dropped(q, DropReason.TOO_LARGE_FOR_QUEUE, false);
            return false;
        }
        if (!hasRoomFor(size)) {
            if (q.qos == 0) {
                drops.dropped(q, DropReason.QUEUE_FULL, false);
                return false;
            }
            Delivery removed;
            while (!hasRoomFor(size) && (removed = removeOldestQos0()) != null) {
                drops.dropped(removed, DropReason.QUEUE_FULL, true);
            }
            if (!hasRoomFor(size)) {
                if (policy != QueueFullPolicy.DROP_OLDEST) {
                    drops.dropped(q, DropReason.QUEUE_FULL, false);
                    return false;
                }
                while (!hasRoomFor(size)) {
                    Delivery oldest = poll();
                    drops.dropped(oldest, DropReason.QUEUE_FULL, true);
                }
            }
        }
        add(q);
        return true;
    }

    /** Removes the oldest QoS 0 message, the first to go when the queue is full; null if there is none. */
    private Delivery removeOldestQos0() {
        for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
            Delivery q = it.next();
            if (q.qos == 0) {
                it.remove();
                bytes -= q.bytes();
                return q;
            }
        }
        return null;
    }

    /** Removes the messages {@code filter} accepts (it may act on them), keeping the order of the rest. */
    void removeIf(java.util.function.Predicate<Delivery> filter) {
        for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
            Delivery q = it.next();
            if (filter.test(q)) {
                it.remove();
                bytes -= q.bytes();
            }
        }
    }

    void clear() {
        queue.clear();
        bytes = 0;
    }
}
