package io.gannet.broker.connection;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that sends nothing for one and a half times its keep-alive [MQTT-3.1.2-24]. Any bytes count,
 * even part of a packet, so a large packet that arrives slowly does not count as silence.
 *
 * <p>It is not a pipeline handler, as Netty's {@code IdleStateHandler} would be, because every read, write and
 * flush of every connection would pass through it. The connection tells it when a read completes, which costs a
 * clock read per read, and one timer per connection checks the time of the last one.
 *
 * <p>Touched only on the connection's event loop.
 */
final class KeepAliveTimer implements Runnable {
    private final EventExecutor loop;
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private long lastReadNanos;
    /** The next check; null once stopped or expired. */
    private ScheduledFuture<?> next;

    private KeepAliveTimer(EventExecutor loop, long timeoutNanos, Runnable onTimeout) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
        this.onTimeout = onTimeout;
    }

    /** Starts the timer: {@code onTimeout} runs on {@code loop} once nothing was read for {@code timeoutMillis}. */
    static KeepAliveTimer start(EventExecutor loop, long timeoutMillis, Runnable onTimeout) {
        KeepAliveTimer timer = new KeepAliveTimer(loop, TimeUnit.MILLISECONDS.toNanos(timeoutMillis), onTimeout);
        timer.lastReadNanos = System.nanoTime();
        timer.next = loop.schedule(timer, timer.timeoutNanos, TimeUnit.NANOSECONDS);
        return timer;
    }

    /** Something was read from the client. */
    void readCompleted() {
        lastReadNanos = System.nanoTime();
    }

    /** Cancels the timer, when the connection closes. */
    void stop() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    @Override
    public void run() {
        if (next == null) {
            return; // stopped after this run was due
        }
        long left = timeoutNanos - (System.nanoTime() - lastReadNanos);
        if (left > 0) {
            // Rescheduled from the last read, not polled: one task per keep-alive period of an active client.
            next = loop.schedule(this, left, TimeUnit.NANOSECONDS);
        } else {
            next = null;
            onTimeout.run();
        }
    }
}
