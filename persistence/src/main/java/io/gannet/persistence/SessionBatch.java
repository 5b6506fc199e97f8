package io.gannet.persistence;

/**
 * Journal records in one reusable array, in the format of this node's journal: what the cluster's session
 * partitions propose as one Raft entry and write as their snapshots. Owned by one thread at a time.
 */
public final class SessionBatch {
    private final RecordEncoder encoder = new RecordEncoder();

    /** Adds the records of one event. */
    public void add(JournalOp op) {
        op.encode(encoder);
        encoder.end();
    }

    /** The records: {@link #length()} bytes from 0. */
    public byte[] array() {
        return encoder.array();
    }

    public int length() {
        return encoder.length();
    }

    public boolean isEmpty() {
        return encoder.isEmpty();
    }

    public void clear() {
        encoder.clear();
    }
}
