package io.gannet.persistence;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The batch that whoever holds the journal is building: its entries' records in one array, each entry applied to
 * the live state as it is added, and what waits for them to be kept. A batch becomes one document of a segment
 * ({@link Segment#append}), so after a crash it is there whole or not at all. What waits is released when the sync
 * policy allows, which with {@code interval} may be several batches later. Touched by the journal's holder only.
 */
final class JournalBatch {
    /** A batch is closed at about this size; a larger single entry makes its own. */
    static final int MAX_BYTES = 1 << 20;

    private final RecordEncoder encoder = new RecordEncoder();
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private final LiveState state;

    JournalBatch(LiveState state) {
        this.state = state;
    }

    /** Adds an entry and applies it to the live state; what it waits for is released with the batch. */
    void add(JournalOp op) {
        int start = encoder.length();
        // The entries of every QoS 1 message, by their own classes. Through the interface, a call site that sees
        // more than two classes searches the itable on each call: about 20 ns a message over the three calls below,
        // in a profile of QoS 1 pairs.
        if (op instanceof JournalOp.Acknowledged a) {
            a.encode(encoder);
            encoder.end();
            a.applyTo(state, encoder.length() - start);
        } else if (op instanceof JournalOp.Sent s) {
            s.encode(encoder);
            encoder.end();
            s.applyTo(state, encoder.length() - start);
        } else if (op instanceof JournalOp.Queued q) {
            q.encode(encoder);
            encoder.end();
            q.applyTo(state, encoder.length() - start);
            waitFor(q.done());
        } else {
            op.encode(encoder);
            encoder.end();
            op.applyTo(state, encoder.length() - start); // an entry may write more than one record
            waitFor(op.done());
        }
    }

    private void waitFor(CompletableFuture<Void> done) {
        if (done != null) {
            waiting.add(done);
        }
    }

    /**
     * Adds an entry of a compaction's snapshot, which the live state already holds, appending what the batch has to
     * {@code to} once it is large: a snapshot is many batches.
     */
    void addSnapshotEntry(JournalOp op, Segment to) throws IOException {
        op.encode(encoder);
        encoder.end();
        if (encoder.length() >= MAX_BYTES) {
            appendTo(to);
        }
    }

    /** Whether the batch should be appended before it takes more entries. */
    boolean reachedMaxBytes() {
        return encoder.length() >= MAX_BYTES;
    }

    boolean isEmpty() {
        return encoder.isEmpty();
    }

    /** Appends the records to {@code to} as one document and empties the batch; false if it held none. */
    boolean appendTo(Segment to) throws IOException {
        if (encoder.isEmpty()) {
            return false;
        }
        to.append(encoder.array(), encoder.length());
        encoder.clear();
        return true;
    }

    /** Whether anything waits for what was added since the last release. */
    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Completes what waits: kept, or failed with {@code error}. */
    void release(Throwable error) {
        for (CompletableFuture<Void> f : waiting) {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        }
        waiting.clear();
    }

    /** Drops the records not yet appended (the journal failed). */
    void discard() {
        encoder.clear();
    }
}
