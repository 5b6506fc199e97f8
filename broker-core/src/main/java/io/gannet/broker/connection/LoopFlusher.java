package io.gannet.broker.connection;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * Merges the flushes of the connections of one event loop. A connection that was written to asks once; one task
 * flushes them all after the loop has handled the I/O events at hand, so a message to a thousand subscribers costs
 * one flush (one system call) per subscriber per loop turn, and one task, not a thousand.
 *
 * <p>Netty's {@code FlushConsolidationHandler} merges flushes too, but per channel: a flush from outside the
 * channel's own read schedules a task for that channel, which on the fan-out path is a task per subscriber.
 *
 * <p>The end of the turn can be far off, though: one turn handles every connection that was ready, and on a
 * fan-out the acknowledgements of the last message make up most of them. So when a connection's read has left
 * {@link #FLUSH_AFTER_READ_AT} or more connections waiting, they are flushed at once ({@link #readComplete()}): the
 * message that was just read goes out before the loop reads the next thousand acknowledgements, and the
 * connections that one read wrote to still get one flush for all it brought.
 *
 * <p>Touched only on its loop's thread: a connection requests flushes from its own loop.
 */
final class LoopFlusher implements Runnable {
    /** What the flusher flushes: a connection. */
    interface Target {
        /** Flushes what was written since the last flush; the next write requests a flush again. */
        void flushNow();
    }

    private static final FastThreadLocal<LoopFlusher> FLUSHERS = new FastThreadLocal<>();

    /**
     * How many waiting connections a read must leave for them to be flushed when it completes. Above what the
     * acknowledgements of a turn bring in the usual fan-ins (one per publisher that was read), below a fan-out.
     */
    static final int FLUSH_AFTER_READ_AT = 128;

    private final EventExecutor loop;
    private Target[] pending = new Target[64];
    private int count;
    private boolean scheduled;

    private LoopFlusher(EventExecutor loop) {
        this.loop = loop;
    }

    /** The flusher of {@code loop}; call on that loop's thread. */
    static LoopFlusher of(EventExecutor loop) {
        LoopFlusher f = FLUSHERS.get();
        if (f == null || f.loop != loop) {
            f = new LoopFlusher(loop);
            FLUSHERS.set(f);
        }
        return f;
    }

    /** Flushes {@code c} with the others at the end of this loop turn; once per request, see the caller's flag. */
    void request(Target c) {
        if (count == pending.length) {
            pending = Arrays.copyOf(pending, count * 2);
        }
        pending[count++] = c;
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    /**
     * Called when a connection's read completes: flushes the waiting connections now if there are many. The task
     * stays scheduled and flushes whatever is written after this.
     */
    void readComplete() {
        if (count >= FLUSH_AFTER_READ_AT) {
            flushPending();
        }
    }

    @Override
    public void run() {
        flushPending();
        scheduled = false;
    }

    private void flushPending() {
        // A flush can lead to more writes (writability returns, a queue drains): those join the list, and are
        // flushed in this pass.
        for (int i = 0; i < count; i++) {
            Target c = pending[i];
            pending[i] = null;
            c.flushNow();
        }
        count = 0;
    }
}
