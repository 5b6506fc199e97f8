package io.gannet.broker.session;

import io.gannet.broker.config.SessionConfig.QueueFullPolicy;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Messages waiting for a session: while its client is offline, is not keeping up, or has a full in-flight
 * window. Bounded by count and by bytes as sent ({@link Delivery#bytes}), and by the budget every queue shares; the
 * caller decides what to drop when it is full. Touched only on the session's event loop.
 */
final class MessageQueue {
    /** What became of an offered message. */
    enum Offer {
        QUEUED,
        /** Dropped by the session's own limits, and reported. */
        DROPPED,
        /** Not queued: the budget of all queues is spent. Not reported: the caller decides. */
        OVER_BUDGET
    }

    // Sized for the common case, an empty queue: ArrayDeque grows by doubling when it must.
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>(1);
    private final int maxMessages;
    private final int maxBytes;
    private final QueueBudget budget;
    private long bytes;
    /**
     * QoS 0 messages in the queue. A full queue evicts its oldest QoS 0 message for a new QoS 1 or 2 one, which
     * takes a walk along the queue; with none there, that walk is skipped. Without the count, a queue full of QoS 1
     * messages walked all of them for every new one it then refused: with a million queued, the event loop served
     * no one else.
     */
    private int qos0;

    MessageQueue(int maxMessages, int maxBytes, QueueBudget budget) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.budget = budget;
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

    /** Adds a message ahead of the limits: one recovered at start. */
    void add(Delivery q) {
        budget.take(q.bytes());
        queue.addLast(q);
        counted(q, 1);
    }

    /** Puts a message back at the head, ahead of the limits: it was taken out to be sent and could not be. */
    void pushFront(Delivery q) {
        budget.take(q.bytes());
        queue.addFirst(q);
        counted(q, 1);
    }

    /** Takes back the message just added, when it was added last (its store refused it). */
    void removeLast(Delivery q) {
        if (queue.peekLast() == q) {
            queue.pollLast();
            counted(q, -1);
            budget.give(q.bytes());
        }
    }

    Delivery peek() {
        return queue.peekFirst();
    }

    Delivery poll() {
        Delivery q = queue.pollFirst();
        if (q != null) {
            counted(q, -1);
            budget.give(q.bytes());
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
     * QoS 0 goes first: the new one if it is QoS 0, else the oldest queued QoS 0 message. The shared budget is
     * asked first, so that no queued message is evicted for one the budget then refuses.
     *
     * @return {@link Offer#DROPPED} if the new message was dropped (with {@link QueueFullPolicy#DISCONNECT}, the
     *         caller then disconnects the slow client); {@link Offer#OVER_BUDGET} if the budget had no room
     */
    Offer offer(Delivery q, QueueFullPolicy policy, DropListener drops) {
        int size = q.bytes();
        if (!canEverHold(size)) {
            drops.dropped(q, DropReason.TOO_LARGE_FOR_QUEUE, false);
            return Offer.DROPPED;
        }
        if (!budget.tryTake(size)) {
            return Offer.OVER_BUDGET;
        }
        if (!hasRoomFor(size)) {
            if (q.qos == 0) {
                budget.give(size);
                drops.dropped(q, DropReason.QUEUE_FULL, false);
                return Offer.DROPPED;
            }
            Delivery removed;
            while (!hasRoomFor(size) && (removed = removeOldestQos0()) != null) {
                drops.dropped(removed, DropReason.QUEUE_FULL, true);
            }
            if (!hasRoomFor(size)) {
                if (policy != QueueFullPolicy.DROP_OLDEST) {
                    budget.give(size);
                    drops.dropped(q, DropReason.QUEUE_FULL, false);
                    return Offer.DROPPED;
                }
                while (!hasRoomFor(size)) {
                    Delivery oldest = poll();
                    drops.dropped(oldest, DropReason.QUEUE_FULL, true);
                }
            }
        }
        queue.addLast(q); // the budget is taken already
        counted(q, 1);
        return Offer.QUEUED;
    }

    /** Removes the oldest QoS 0 message, the first to go when the queue is full; null if there is none. */
    private Delivery removeOldestQos0() {
        if (qos0 == 0) {
            return null;
        }
        for (Iterator<Delivery> it = queue.iterator(); it.hasNext(); ) {
            Delivery q = it.next();
            if (q.qos == 0) {
                it.remove();
                counted(q, -1);
                budget.give(q.bytes());
                return q;
            }
        }
        return null;
    }

    /**
     * Removes the messages {@code filter} accepts (it may act on them: it sees each once, oldest first), keeping the
     * order of the rest. In one turn of the queue: a removal through an iterator moves every element behind it.
     */
    void removeIf(java.util.function.Predicate<Delivery> filter) {
        for (int i = queue.size(); i > 0; i--) {
            Delivery q = queue.pollFirst();
            if (filter.test(q)) {
                counted(q, -1);
                budget.give(q.bytes());
            } else {
                queue.addLast(q);
            }
        }
    }

    void clear() {
        queue.clear();
        budget.give(bytes);
        bytes = 0;
        qos0 = 0;
    }

    /** Counts a message in ({@code sign} 1) or out (-1) of the queue's bytes and QoS 0 messages. */
    private void counted(Delivery q, int sign) {
        bytes += sign * (long) q.bytes();
        if (q.qos == 0) {
            qos0 += sign;
        }
    }
}
