package io.gannet.persistence;

import io.gannet.broker.store.SessionSnapshot;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * The persistent sessions that a sequence of journal records builds, kept elsewhere than this node's journal: the
 * state of one of the cluster's session partitions, which applies the records its Raft log commits, and the
 * sessions a node reads back from a partition to rebuild. The same records and the same state as the journal's,
 * so a session means the same wherever it is kept. Touched by one thread at a time.
 */
public final class SessionTable {
    private final LiveState state = new LiveState();

    /** Decides, event by event, whether a session's events are taken: a fence around a session that moved. */
    @FunctionalInterface
    public interface Fence {
        /**
         * @param key      the session's key
         * @param clientId its client id: the one its creation names, or that of the live session of {@code key}
         */
        boolean admits(long key, String clientId);
    }

    /** Takes every event. */
    public static final Fence OPEN = (key, clientId) -> true;

    /**
     * Applies the records of {@code length} bytes at {@code offset}, in order.
     *
     * @throws IllegalArgumentException when a record cannot be read; those before it are applied
     */
    public void apply(byte[] records, int offset, int length) {
        apply(records, offset, length, OPEN, key -> { });
    }

    /**
     * Applies the records that {@code fence} admits, in order, and hands the key of each event it refuses to
     * {@code refused}.
     *
     * @throws IllegalArgumentException when a record cannot be read; those before it are applied
     */
    public void apply(byte[] records, int offset, int length, Fence fence, LongConsumer refused) {
        try {
            RecordDecoder.forEachRecord(records, offset, length, (b, at, n) -> {
                JournalOp op = JournalOp.decode(RecordDecoder.of(b, at, n));
                long key = op.key();
                if (key >= 0 && fence != OPEN) {
                    String clientId = op instanceof JournalOp.Created c ? c.clientId() : state.clientIdOf(key);
                    if (clientId != null && !fence.admits(key, clientId)) {
                        refused.accept(key);
                        return true;
                    }
                }
                op.applyTo(state, RecordEncoder.framedSize(n));
                return true;
            });
        } catch (DamagedRecordException e) {
            throw new IllegalArgumentException("an unreadable session record: " + e.getMessage(), e);
        }
    }

    /** Takes a batch of records written out; the batch is cleared after. */
    @FunctionalInterface
    public interface Chunks<E extends Exception> {
        void take(SessionBatch chunk) throws E;
    }

    /**
     * Writes the records that rebuild the sessions {@code which} accepts, handing them to {@code chunks} a batch of
     * about {@code chunkBytes} at a time.
     *
     * @return how many messages those sessions hold
     */
    public <E extends Exception> long write(Predicate<String> which, int chunkBytes, Chunks<E> chunks) throws E {
        SessionBatch out = new SessionBatch();
        long messages = state.<E>forEachOp(which, op -> {
            out.add(op);
            if (out.length() >= chunkBytes) {
                chunks.take(out);
                out.clear();
            }
        });
        if (!out.isEmpty()) {
            chunks.take(out);
        }
        return messages;
    }

    /** The sessions {@code which} accepts, as the core rebuilds them. */
    public List<SessionSnapshot> snapshots(Predicate<String> which) {
        return state.sessionSnapshots(which);
    }

    /** The key of the live session of {@code clientId}, or -1. */
    public long keyOf(String clientId) {
        return state.keyOf(clientId);
    }

    /** The highest session key in use. */
    public long maxKey() {
        return state.maxKey();
    }

    public int sessionCount() {
        return state.sessionCount();
    }

    public long messageCount() {
        return state.messageCount();
    }
}
