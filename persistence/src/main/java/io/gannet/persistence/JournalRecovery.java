package io.gannet.persistence;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the {@link LiveState} at start from the newest segment whose snapshot is complete: the snapshot, then
 * the events after it, up to the end or to the first entry that cannot be read (a tail torn by a crash, or damaged
 * on disk), which is logged and where replay stops. A segment whose snapshot is incomplete (a compaction cut short
 * by a crash) is skipped for the one before it, which compaction deletes only after the newer snapshot is complete.
 */
final class JournalRecovery {
    private static final Logger log = LoggerFactory.getLogger(JournalRecovery.class);

    private JournalRecovery() {
    }

    /** What replay found: the state, and how many entries it read. */
    record Recovered(LiveState state, long segment, long entries, String damage) {
    }

    static Recovered recover(JournalDirectory directory) {
        var numbers = directory.segments();
        Recovered partial = null;
        for (int i = numbers.size() - 1; i >= 0; i--) {
            long number = numbers.get(i);
            Replay r = new Replay();
            Segment segment = directory.openSegment(number);
            try {
                segment.replay(r::accept);
            } catch (DamagedRecordException e) { // a batch whose checksum does not match
                r.damage = "is damaged (" + e.getMessage() + ")";
            } catch (RuntimeException e) { // Chronicle could not read on: the end of what is readable
                r.damage = "unreadable at entry " + (r.entries + 1) + ": " + e;
            }
            if (r.damage != null) {
                log.warn("Journal segment {} in {}: entry {} {}; recovered the {} entries before it and dropped the "
                        + "rest", number, directory.path(), r.entries + 1, r.damage, r.entries);
            }
            Recovered recovered = new Recovered(r.state, number, r.entries, r.damage);
            if (r.snapshotComplete) {
                return recovered;
            }
            log.warn("Journal segment {} in {} has no complete snapshot (its writing was cut short); using the "
                    + "segment before it", number, directory.path());
            if (partial == null) {
                partial = recovered;
            }
        }
        if (partial != null) {
            log.error("No journal segment in {} holds a complete snapshot: recovered what the newest one held",
                    directory.path());
            return partial;
        }
        return new Recovered(new LiveState(), 0, 0, null);
    }

    /** Applies a segment's entries in order; stops at the first that cannot be read. */
    private static final class Replay {
        final LiveState state = new LiveState();
        long entries;
        boolean began;
        boolean snapshotComplete;
        String damage;

        /** One Chronicle document: a batch of records. */
        boolean accept(byte[] batch) {
            try {
                RecordDecoder.forEachRecord(batch, 0, batch.length, this::record);
            } catch (DamagedRecordException e) {
                damage = "is damaged (" + e.getMessage() + ")";
            }
            return damage == null;
        }

        private boolean record(byte[] batch, int offset, int length) {
            JournalOp op;
            try {
                op = JournalOp.decode(RecordDecoder.of(batch, offset, length));
            } catch (DamagedRecordException e) {
                damage = "is damaged (" + e.getMessage() + ")";
                return false;
            }
            if (!began) {
                if (!(op instanceof JournalOp.SegmentBegin b) || b.format() != JournalDirectory.FORMAT) {
                    damage = "does not begin a segment of format " + JournalDirectory.FORMAT;
                    return false;
                }
                began = true;
            }
            if (op instanceof JournalOp.SnapshotEnd) {
                snapshotComplete = true;
            }
            op.applyTo(state, RecordEncoder.framedSize(length));
            entries++;
            return true;
        }
    }
}
