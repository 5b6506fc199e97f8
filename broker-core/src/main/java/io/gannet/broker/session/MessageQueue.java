package io.gannet.broker.session;

import io.gannet.broker.config.SessionConfig.QueueFullPolicy;
import io.gannet.broker.metrics.Drops;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.routing.Message;
import io.gannet.broker.shared.SharedGroup;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Messages waiting for a session: while its client is offline, is not keeping up, or has a full in-flight
 * window. Bounded by count and by payload bytes; the caller decides what to drop when it is full. Touched only on
 * the session's event loop.
 */
final class MessageQueue {
    /**
     * A message as it will be delivered: with the QoS, RETAIN flag and 5.0 Subscription Identifiers (or
     * {@code null}) chosen for this session.
     */
    /** @param intercepted whether the outbound interceptors already saw (and passed) it */
    record Queued(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup group,
                  boolean intercepted) {
        int bytes() {
            return message.payload().length;
        }
    }

    // Sized for the common case, an empty queue: ArrayDeque grows by doubling when it must.
    private final ArrayDeque<Queued> queue = new ArrayDeque<>(1);
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

    void add(Queued q) {
        queue.addLast(q);
        bytes += q.bytes();
    }

    /** Puts a message back at the head, ahead of the limits: it was taken out to be sent and could not be. */
    void pushFront(Queued q) {
        queue.addFirst(q);
        bytes += q.bytes();
    }

    Queued peek() {
        return queue.peekFirst();
    }

    Queued poll() {
        Queued q = queue.pollFirst();
        if (q != null) {
            bytes -= q.bytes();
        }
        return q;
    }

    /**
     * Adds a message, applying the queue-full policy when there is no room; every message dropped is counted.
     * QoS 0 goes first: the new one if it is QoS 0, else the oldest queued QoS 0 message.
     *
     * @return false if the new message was dropped (with {@link QueueFullPolicy#DISCONNECT}, the caller then
     *         disconnects the slow client)
     */
    boolean offer(Queued q, QueueFullPolicy policy, Drops drops, String clientId) {
        int size = q.bytes();
        if (!canEverHold(size)) {
            drops.dropped(DropReason.TOO_LARGE_FOR_QUEUE, clientId, q.message().topic(), q.qos());
            return false;
        }
        if (!hasRoomFor(size)) {
            if (q.qos() == 0) {
                drops.dropped(DropReason.QUEUE_FULL, clientId, q.message().topic(), 0);
                return false;
            }
            Queued removed;
            while (!hasRoomFor(size) && (removed = removeOldestQos0()) != null) {
                drops.dropped(DropReason.QUEUE_FULL, clientId, removed.message().topic(), 0);
            }
            if (!hasRoomFor(size)) {
                if (policy != QueueFullPolicy.DROP_OLDEST) {
                    drops.dropped(DropReason.QUEUE_FULL, clientId, q.message().topic(), q.qos());
                    return false;
                }
                while (!hasRoomFor(size)) {
                    Queued oldest = poll();
                    drops.dropped(DropReason.QUEUE_FULL, clientId, oldest.message().topic(), oldest.qos());
                }
            }
        }
        add(q);
        return true;
    }

    /** Removes the oldest QoS 0 message, the first to go when the queue is full; null if there is none. */
    private Queued removeOldestQos0() {
        for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
            if (q.qos() == 0) {
                it.remove();
                bytes -= q.bytes();
                return q;
            }
        }
        return null;
    }

    /** Removes the messages {@code filter} accepts (it may act on them), keeping the order of the rest. */
    void removeIf(java.util.function.Predicate<Queued> filter) {
        for (Iterator<Queued> it = queue.iterator(); it.hasNext(); ) {
            Queued q = it.next();
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
