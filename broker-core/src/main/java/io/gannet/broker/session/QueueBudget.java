package io.gannet.broker.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory every session queue together may hold ({@code sessions.max-queued-bytes-total}): one counter shared by
 * all event loops. Only queueing touches it, never a message written straight to its client, so the publish path
 * of subscribers that keep up does not pay for it.
 */
public final class QueueBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public QueueBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} if they fit; false when the budget is spent. */
    boolean tryTake(int bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Takes {@code bytes} whether or not they fit: for what was queued before (put back, or recovered). */
    void take(long bytes) {
        used.addAndGet(bytes);
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes queued now, in every session. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
