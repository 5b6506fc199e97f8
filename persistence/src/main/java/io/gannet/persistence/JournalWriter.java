package io.gannet.persistence;

import io.gannet.broker.config.PersistenceConfig;
import io.gannet.broker.config.PersistenceConfig.SyncPolicy;
import io.gannet.broker.store.StoreFullException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the journal. Event loops hand it {@link JournalOp}s through a lock-free queue, the inbox, which keeps them
 * in one order; whoever holds the journal drains it in batches, appends each batch to the current segment, keeps the
 * {@link LiveState} current and completes what acknowledgements wait for as the sync policy says.
 *
 * <p>Who holds it (ADR 23): with {@code sync: os}, the event loop that handed in entries, at the end of its turn,
 * unless another thread holds it, and the writer thread {@code gannet-journal} for entries from threads that are not
 * loops. With the fsync policies the writer thread alone, so that no loop waits for a disk. The writer thread also
 * compacts: when the dead entries outweigh the live ones, it writes the live state as the snapshot that starts a new
 * segment and deletes the old one. A loop never waits to hold the journal; it tries again a little later.
 */
final class JournalWriter implements Runnable, JournalSink {
    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    /** Entries written before the waiting acknowledgements are released, so that a busy journal still answers. */
    private static final int MAX_BATCH = 1024;
    /** How long an idle writer sleeps before it looks at housekeeping (compaction, expiry). */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How soon a loop that found the journal held tries again: a batch takes a few tens of microseconds. */
    private static final long RETRY_MICROS = 100;

    private final JournalDirectory directory;
    private final LiveState state;
    private final SyncPolicy policy;
    /**
     * Whether the event loops write their own entries at the end of each turn ({@code sync: os}, where nothing waits
     * for the disk). Handing each turn's entries to the writer thread cost a wake-up and two context switches per
     * turn where the loops and the writer share a core, and a hop back to the loop for each acknowledgement.
     */
    private final boolean loopsWrite;
    private final long syncIntervalNanos;
    private final long maxDiskBytes;
    private final long compactAtLeastBytes;
    private final Clock clock;
    /** Many producers (the loops), one consumer: a chunked array queue, no node per entry as a linked one has. */
    private final Queue<JournalOp> inbox = PlatformDependent.newMpscQueue();
    /** Who may touch what follows (the batch, the live state, the segment) now. */
    private final JournalHold hold = new JournalHold();
    private final JournalBatch batch;
    private final Thread thread;
    private final CompletableFuture<Void> full;
    private final LongAdder refused = new LongAdder();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final FastThreadLocal<LoopWaker> wakers = new FastThreadLocal<>() {
        @Override
        protected LoopWaker initialValue() {
            return new LoopWaker();
        }
    };

    private Segment segment;
    private boolean dirty;
    private long nextSyncNanos;
    private volatile boolean parked;
    private volatile boolean running = true;
    private volatile boolean isFull;
    private volatile Throwable failure;
    private volatile long diskBytes;
    private volatile long compactions;

    JournalWriter(JournalDirectory directory, LiveState state, PersistenceConfig config, Clock clock) {
        this.directory = directory;
        this.state = state;
        this.batch = new JournalBatch(state);
        this.policy = config.sync();
        this.loopsWrite = policy == SyncPolicy.OS;
        this.syncIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.syncIntervalMillis());
        this.maxDiskBytes = config.maxDiskBytes();
        // Compaction rewrites the live state: worth it once the dead entries are many, and never for a few bytes.
        this.compactAtLeastBytes = Math.max(1 << 20, Math.min(64L << 20, maxDiskBytes / 8));
        this.clock = clock;
        this.full = CompletableFuture.failedFuture(new StoreFullException("the journal has reached "
                + "persistence.max-disk-bytes (" + maxDiskBytes + " bytes)"));
        this.thread = new Thread(this, "gannet-journal");
        thread.setDaemon(true);
    }

    /**
     * Writes the recovered state as the first segment of this run, deletes every older one, then starts the
     * thread. Called once, before any event arrives.
     */
    void start() throws IOException {
        thread.start();
        try {
            started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the journal started", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    // ---- called by event loops --------------------------------------------------------------------------------

    @Override
    public void submit(JournalOp op) {
        inbox.offer(op);
        if (loopsWrite || parked) {
            wake();
        }
    }

    /**
     * Wakes the writer: from an event loop, once at the end of the loop's current turn, so that the writer takes
     * all that turn's entries in one batch. Where the writer and the loops share a core, a wake-up per entry would
     * cost a context switch per entry.
     */
    private void wake() {
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        if (loop == null || !loop.inEventLoop()) {
            LockSupport.unpark(thread);
            return;
        }
        LoopWaker waker = wakers.get();
        if (loopsWrite) {
            waker.handedIn++;
        }
        if (!waker.scheduled) {
            waker.scheduled = true;
            loop.execute(waker);
        }
    }

    /**
     * An event loop's task at the end of a turn that handed in entries: with {@code sync: os} it writes them, else it
     * wakes the writer thread. Touched only on that loop.
     */
    private final class LoopWaker implements Runnable {
        boolean scheduled;
        /** Entries this loop handed in and has not yet written (or seen written) a share of as large. */
        int handedIn;

        @Override
        public void run() {
            if (loopsWrite && !writeOnLoop(this) && running) {
                // Another thread holds the journal. It may let go without seeing this loop's entries: try again
                // soon rather than leave them to the next turn that hands any in, which may never come.
                ThreadExecutorMap.currentExecutor().schedule(this, RETRY_MICROS, TimeUnit.MICROSECONDS);
                return;
            }
            scheduled = false;
            if (!loopsWrite && parked) {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * With {@code sync: os}, at the end of a loop turn that handed in entries: writes them on the loop, unless
     * another thread holds the journal. The loop never waits for it.
     *
     * @return false if entries are left and another thread held the journal
     */
    private boolean writeOnLoop(LoopWaker waker) {
        // As many entries as this loop handed in: all the loops together then write all that comes in, and none
        // writes another's share for long. The writer thread has nothing to take over.
        while (waker.handedIn > 0 && !inbox.isEmpty()) {
            if (!hold.tryHold()) {
                return false;
            }
            try {
                waker.handedIn -= writeBatch();
            } catch (Throwable e) {
                fail(e);
            } finally {
                hold.letGo();
            }
        }
        waker.handedIn = 0;
        return true;
    }

    /**
     * The completion of a new message for a persistent session: a fresh one the writer completes, or at once a
     * failed one when the journal is full or broken, so that the publisher learns it and the session drops it.
     */
    @Override
    public CompletableFuture<Void> admit() {
        Throwable broken = failure;
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        if (isFull) {
            refused.increment();
            return full;
        }
        return new CompletableFuture<>();
    }

    long diskBytes() {
        return diskBytes;
    }

    long refused() {
        return refused.sum();
    }

    long compactions() {
        return compactions;
    }

    /** Whether the writer thread has ended; for tests. */
    boolean stopped() {
        return !thread.isAlive();
    }

    /** Writes what was handed in, syncs, and stops. Called once every event loop has stopped. */
    void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error("The journal writer did not stop within 30 s; the journal may miss its last entries");
        }
    }

    // ---- the writer thread -------------------------------------------------------------------------------------

    @Override
    public void run() {
        nextSyncNanos = System.nanoTime() + syncIntervalNanos;
        try {
            compact(); // on this thread, which holds the journal until it has started
        } catch (Throwable e) {
            started.completeExceptionally(e);
            return;
        }
        hold.letGo();
        started.complete(null);
        while (true) {
            hold.hold();
            int n = 0;
            try {
                n = writeBatch();
                housekeeping(); // also under a load that never lets the writer idle
            } catch (Throwable e) {
                fail(e); // and go on: what is handed in later fails too, whoever holds the journal
            } finally {
                hold.letGo();
            }
            // Where the loops write, this thread keeps house, and takes what they leave until it has all it was
            // woken for.
            if (n == 0 || loopsWrite && n < MAX_BATCH) {
                if (!running && inbox.isEmpty()) {
                    break;
                }
                idle();
            }
        }
        hold.hold(); // for good: the loops have stopped
        try {
            if (failure == null) {
                finishBatch();
                segment.sync(); // a clean stop leaves everything on disk, whatever the policy
                batch.release(null);
            }
        } catch (Throwable e) {
            fail(e);
        } finally {
            if (segment != null) {
                segment.close();
            }
        }
    }

    /** Writes one batch from the inbox and releases what the policy allows; by the holder. */
    private int writeBatch() throws IOException {
        if (failure != null) {
            fail(failure); // handed in after the failure: fail those too
            return 0;
        }
        int n = 0;
        JournalOp op;
        while (n < MAX_BATCH && !batch.reachedMaxBytes() && (op = inbox.poll()) != null) {
            batch.add(op);
            n++;
        }
        appendBatch();
        finishBatch();
        return n;
    }

    /** Appends the batch as one document: after a crash it is there whole or not at all. */
    private void appendBatch() throws IOException {
        if (!batch.appendTo(segment)) {
            return;
        }
        dirty = true;
        long bytes = directory.bytesOnDisk();
        diskBytes = bytes;
        if (bytes >= maxDiskBytes && !isFull) {
            isFull = true;
            log.warn("The journal in {} reached persistence.max-disk-bytes ({} bytes): new QoS 1 and 2 messages for "
                    + "persistent sessions are refused until space is reclaimed", directory.path(), maxDiskBytes);
        }
    }

    /** Releases the acknowledgements the sync policy allows now. */
    private void finishBatch() throws IOException {
        switch (policy) {
            case OS -> batch.release(null);
            case EVERY_MESSAGE -> {
                if (batch.hasWaiting()) {
                    sync();
                    batch.release(null);
                }
            }
            case INTERVAL -> {
                long now = System.nanoTime();
                if (dirty && now - nextSyncNanos >= 0) {
                    sync();
                    batch.release(null);
                }
                if (now - nextSyncNanos >= 0) {
                    nextSyncNanos = now + syncIntervalNanos;
                }
            }
        }
    }

    private void sync() throws IOException {
        segment.sync();
        dirty = false;
    }

    private void idle() {
        long timeout = IDLE_NANOS;
        if (policy == SyncPolicy.INTERVAL && dirty) {
            timeout = Math.max(0, Math.min(timeout, nextSyncNanos - System.nanoTime()));
        }
        if (timeout == 0) {
            return;
        }
        parked = true;
        if ((loopsWrite || inbox.isEmpty()) && running) { // checked after announcing the park: no submit is missed
            LockSupport.parkNanos(this, timeout);
        }
        parked = false;
    }

    private void housekeeping() throws IOException {
        if (failure != null) {
            return;
        }
        long live = state.liveBytes();
        long dead = diskBytes - live;
        if (dead > compactAtLeastBytes && (dead > live || isFull)) {
            compact();
        }
    }

    /**
     * Starts a new segment with the live state as its snapshot, then deletes the older segments: what start-up
     * replays is then only what is alive, and the disk holds little more.
     */
    private void compact() throws IOException {
        long begun = System.nanoTime();
        state.dropExpired(clock.millis());
        Segment next = directory.createSegment();
        batch.addSnapshotEntry(new JournalOp.SegmentBegin(JournalDirectory.FORMAT, next.number(), clock.millis()),
                next);
        long messages = state.<IOException>forEachOp(clientId -> true, op -> batch.addSnapshotEntry(op, next));
        batch.addSnapshotEntry(new JournalOp.SnapshotEnd(state.sessionCount(), messages), next);
        batch.appendTo(next);
        if (policy != SyncPolicy.OS) {
            next.sync(); // the old segment goes next: the snapshot must be on disk first
        }
        Segment old = segment;
        segment = next;
        dirty = false;
        batch.release(null); // the snapshot holds (and has synced) all they waited for
        if (old != null) {
            old.close();
        }
        directory.deleteAllBefore(next.number());
        diskBytes = directory.bytesOnDisk();
        if (isFull && diskBytes < maxDiskBytes) {
            isFull = false;
            log.info("The journal in {} is below persistence.max-disk-bytes again ({} bytes)", directory.path(),
                    diskBytes);
        }
        compactions++;
        log.debug("Journal compacted into segment {}: {} sessions, {} messages, {} retained, {} bytes, in {} ms",
                next.number(), state.sessionCount(), messages, state.retainedCount(), next.bytes(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun));
    }

    /** By the holder. */
    private void fail(Throwable e) {
        if (failure == null) {
            failure = e instanceof IOException io ? new UncheckedIOException(io) : e;
            log.error("The journal in {} failed; new messages for persistent sessions are refused until the broker "
                    + "restarts", directory.path(), e);
        }
        batch.discard();
        batch.release(e);
        JournalOp op;
        while ((op = inbox.poll()) != null) {
            CompletableFuture<Void> done = op.done();
            if (done != null) {
                done.completeExceptionally(e);
            }
        }
    }
}
