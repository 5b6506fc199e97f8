package io.gannet.persistence;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * Who writes the journal now: the writer thread, or with {@code sync: os} one event loop at the end of its turn
 * (ADR 23). Whatever the journal's writing touches (the encoder, the live state, the segment's appender) belongs to
 * the holder; letting go and taking hold is the happens-before edge between one holder and the next.
 *
 * <p>A loop only ever tries ({@link #tryHold}) and never waits. The writer thread may wait ({@link #hold}), which
 * takes a loop's one batch at most.
 */
final class JournalHold {
    /** How long the writer thread sleeps between attempts once spinning has not been enough. */
    private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final int SPINS = 100;
    private static final AtomicIntegerFieldUpdater<JournalHold> HELD =
            AtomicIntegerFieldUpdater.newUpdater(JournalHold.class, "held");

    /** 1 while a thread holds the journal; held from the start, by the writer thread until it has started. */
    private volatile int held = 1;

    /** Takes hold if nobody holds the journal; never waits. */
    boolean tryHold() {
        return held == 0 && HELD.compareAndSet(this, 0, 1);
    }

    /** Takes hold, waiting for the holder to let go; for the writer thread only. */
    void hold() {
        for (int tries = 0; !tryHold(); tries++) {
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS); // the holding loop may be off its core, even this one
            }
        }
    }

    void letGo() {
        held = 0;
    }
}
