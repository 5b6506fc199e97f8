package io.gannet.broker.metrics;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters bumped for every message (received, sent, and their bytes), without an atomic instruction on the
 * publish path: each event loop thread writes a cell of its own with plain stores, and a read sums the cells. Other threads (plugins publishing from their own) count in shared {@link LongAdder}s, so that threads
 * that come and go leave no cells behind.
 */
final class MessageCounters {
    /** One thread's counts. Written by that thread only; read by any. */
    private static final class Cell {
        private static final VarHandle RECEIVED;
        private static final VarHandle RECEIVED_BYTES;
        private static final VarHandle SENT;
        private static final VarHandle SENT_BYTES;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                RECEIVED = l.findVarHandle(Cell.class, "received", long.class);
                RECEIVED_BYTES = l.findVarHandle(Cell.class, "receivedBytes", long.class);
                SENT = l.findVarHandle(Cell.class, "sent", long.class);
                SENT_BYTES = l.findVarHandle(Cell.class, "sentBytes", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long received;
        private long receivedBytes;
        private long sent;
        private long sentBytes;

        // Single writer, plain stores: no lock prefix and no VarHandle on the publish path. A VarHandle store is
        // cheap only where the JIT inlines it, and the deep call chains of the publish path can leave it beyond the
        // inlining depth, where it costs a method-handle call per message (seen as 10 % of a fan-in's CPU). A
        // 64-bit JVM writes a long whole; readers take the counts with an opaque read, and a count a moment old
        // is all a statistic needs.
        void received(int bytes) {
            received++;
            receivedBytes += bytes;
        }

        void sent(int bytes) {
            sent++;
            sentBytes += bytes;
        }
    }

    private final CopyOnWriteArrayList<Cell> cells = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<Cell> own = new FastThreadLocal<>() {
        @Override
        protected Cell initialValue() {
            Cell c = new Cell();
            cells.add(c);
            return c;
        }
    };
    private final LongAdder received = new LongAdder();
    private final LongAdder receivedBytes = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder sentBytes = new LongAdder();

    void received(int bytes) {
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            own.get().received(bytes);
        } else {
            received.increment();
            receivedBytes.add(bytes);
        }
    }

    void sent(int bytes) {
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            own.get().sent(bytes);
        } else {
            sent.increment();
            sentBytes.add(bytes);
        }
    }

    long received() {
        return sum(received, Cell.RECEIVED);
    }

    long receivedBytes() {
        return sum(receivedBytes, Cell.RECEIVED_BYTES);
    }

    long sent() {
        return sum(sent, Cell.SENT);
    }

    long sentBytes() {
        return sum(sentBytes, Cell.SENT_BYTES);
    }

    /** What other threads counted in {@code shared}, plus every loop's cell's {@code field}. */
    private long sum(LongAdder shared, VarHandle field) {
        long sum = shared.sum();
        for (Cell c : cells) {
            sum += (long) field.getOpaque(c);
        }
        return sum;
    }
}
