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
 * <p>Touched only on its loop's thread: a connection requests flushes from its own loop.
 */
final class LoopFlusher implements Runnable {
    private static final FastThreadLocal<LoopFlusher> FLUSHERS = new FastThreadLocal<>();

    private final EventExecutor loop;
    private MqttConnection[] pending = new MqttConnection[64];
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
    void request(MqttConnection c) {
        if (count == pending.length) {
            pending = Arrays.copyOf(pending, count * 2);
        }
        pending[count++] = c;
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        // A flush can lead to more writes (writability returns, a queue drains): those are flushed in this run.
        for (int i = 0; i < count; i++) {
            MqttConnection c = pending[i];
            pending[i] = null;
            c.flushNow();
        }
        count = 0;
        scheduled = false;
    }
}
