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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes the journal. Event loops hand it {@link JournalOp}s through a lock-free queue and go
 * on; it appends them to the current segment in batches, keeps the {@link LiveState} current, completes what
 * acknowledgements wait for as the sync policy says, and compacts: when the dead entries outweigh the live ones, it
 * writes the live state as the snapshot that starts a new segment and deletes the old one.
 *
 * <p>Why a thread of its own: an event loop never waits for the disk, a mapping or a lock, and the journal stays one
 * ordered sequence that one writer owns.
 */
final class JournalWriter implements Runnable, JournalSink {
    private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
    /** Entries written before the waiting acknowledgements are released, so that a busy journal still answers. */
    private static final int MAX_BATCH = 1024;
    /** A batch (one Chronicle document) is closed at about this size; a larger single entry makes its own. */
    private static final int MAX_BATCH_BYTES = 1 << 20;
    /** How long an idle writer sleeps before it looks at housekeeping (compaction, expiry). */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final JournalDirectory directory;
    private final LiveState state;
    private final SyncPolicy policy;
    private final long syncIntervalNanos;
    private final long maxDiskBytes;
    private final long compactAtLeastBytes;
    private final Clock clock;
    /** Many producers (the loops), one consumer: a chunked array queue, no node per entry as a linked one has. */
    private final Queue<JournalOp> inbox = PlatformDependent.newMpscQueue();
    private final RecordEncoder encoder = new RecordEncoder();
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
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
        this.policy = config.sync();
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
        if (parked) {
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
        if (!waker.scheduled) {
            waker.scheduled = true;
            loop.execute(waker);
        }
    }

    /** An event loop's pending wake-up of the writer; touched only on that loop. */
    private final class LoopWaker implements Runnable {
        boolean scheduled;

        @Override
        public void run() {
            scheduled = false;
            if (parked) {
                LockSupport.unpark(thread);
            }
        }
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
            compact(); // on this thread, which owns the segment's appender from now on
        } catch (Throwable e) {
            started.completeExceptionally(e);
            return;
        }
        started.complete(null);
        try {
            while (true) {
                int n = 0;
                JournalOp op;
                while (n < MAX_BATCH && encoder.length() < MAX_BATCH_BYTES && (op = inbox.poll()) != null) {
                    write(op);
                    n++;
                }
                appendBatch();
                finishBatch();
                housekeeping(); // also under a load that never lets the writer idle
                if (n == 0) {
                    if (!running && inbox.isEmpty()) {
                        break;
                    }
                    idle();
                }
            }
            finishBatch();
            segment.sync(); // a clean stop leaves everything on disk, whatever the policy
            completeWaiting(null);
        } catch (Throwable e) {
            fail(e);
        } finally {
            if (segment != null) {
                segment.close(); // on this thread, which owns its appender
            }
        }
    }

    /** Adds one entry to the batch; the batch is appended before anything waiting on it is released. */
    private void write(JournalOp op) {
        int start = encoder.length();
        op.encode(encoder);
        encoder.end();
        op.applyTo(state, encoder.length() - start); // an entry may write more than one record
        CompletableFuture<Void> done = op.done();
        if (done != null) {
            waiting.add(done);
        }
    }

    /** Appends the batch as one document: after a crash it is there whole or not at all. */
    private void appendBatch() throws IOException {
        if (encoder.isEmpty()) {
            return;
        }
        segment.append(encoder.array(), encoder.length());
        encoder.clear();
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
            case OS -> completeWaiting(null);
            case EVERY_MESSAGE -> {
                if (!waiting.isEmpty()) {
                    sync();
                    completeWaiting(null);
                }
            }
            case INTERVAL -> {
                long now = System.nanoTime();
                if (dirty && now - nextSyncNanos >= 0) {
                    sync();
                    completeWaiting(null);
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

    private void completeWaiting(Throwable error) {
        for (CompletableFuture<Void> f : waiting) {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        }
        waiting.clear();
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
        if (inbox.isEmpty() && running) { // checked after announcing the park, so no submit is missed
            LockSupport.parkNanos(this, timeout);
        }
        parked = false;
    }

    private void housekeeping() throws IOException {
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
        append(next, new JournalOp.SegmentBegin(JournalDirectory.FORMAT, next.number(), clock.millis()));
        long messages = state.<IOException>forEachOp(clientId -> true, op -> append(next, op));
        append(next, new JournalOp.SnapshotEnd(state.sessionCount(), messages));
        if (!encoder.isEmpty()) {
            next.append(encoder.array(), encoder.length());
            encoder.clear();
        }
        if (policy != SyncPolicy.OS) {
            next.sync(); // the old segment goes next: the snapshot must be on disk first
        }
        Segment old = segment;
        segment = next;
        dirty = false;
        completeWaiting(null); // the snapshot holds (and has synced) all they waited for
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

    /** Adds a snapshot entry to the batch, appending the batch to {@code to} when it is large. */
    private void append(Segment to, JournalOp op) throws IOException {
        op.encode(encoder);
        encoder.end();
        if (encoder.length() >= MAX_BATCH_BYTES) {
            to.append(encoder.array(), encoder.length());
            encoder.clear();
        }
    }

    private void fail(Throwable e) {
        failure = e instanceof IOException io ? new UncheckedIOException(io) : e;
        log.error("The journal in {} failed; new messages for persistent sessions are refused until the broker "
                + "restarts", directory.path(), e);
        completeWaiting(e);
        JournalOp op;
        while ((op = inbox.poll()) != null) {
            CompletableFuture<Void> done = op.done();
            if (done != null) {
                done.completeExceptionally(e);
            }
        }
    }
}
