package io.gannet.cluster;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * From which index of its partition's log this node holds each session it took over, adopted or recovered, for as
 * long as its own copy of the partition has not applied that far.
 *
 * <p>This node learns that it holds a session from the partition's leader, which may be ahead of this node's copy:
 * a restarted node is still replaying its log, a slow follower lags. When the copy then applies an older entry in
 * which another node took the session from this one, that takeover is already undone by the newer one this node made;
 * acting on it would close the client that just connected here. A takeover applied at an index at or below the mark
 * is therefore stale. Marks go once the copy has applied past them, since every takeover it applies then is newer.
 */
final class HeldSince {
    private record Mark(String clientId, long index) {
    }

    private final Map<String, Long>[] marks;
    private final Queue<Mark>[] pending;

    @SuppressWarnings("unchecked")
    HeldSince(int partitions) {
        marks = new Map[partitions];
        pending = new Queue[partitions];
        for (int p = 0; p < partitions; p++) {
            marks[p] = new ConcurrentHashMap<>();
            pending[p] = new ConcurrentLinkedQueue<>();
        }
    }

    /**
     * This node holds the session of {@code clientId} as of {@code index}; {@code appliedHere} is how far this node's
     * copy of the partition has applied, past which no mark is needed.
     */
    void held(int partition, String clientId, long index, long appliedHere) {
        if (appliedHere == Long.MAX_VALUE) {
            // No copy here: nothing applies the partition's entries, so the mark waits, one per client id, for
            // a copy that may start here when the partition moves ({@link #copyStarted}).
            marks[partition].merge(clientId, index, Math::max);
            return;
        }
        if (index <= appliedHere) {
            return;
        }
        marks[partition].merge(clientId, index, Math::max);
        pending[partition].add(new Mark(clientId, index));
    }

    /**
     * A copy of the partition starts here, and will apply its log from the start or from a snapshot: the marks
     * kept while it had none go once it has applied past them.
     */
    void copyStarted(int partition) {
        marks[partition].entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .forEach(e -> pending[partition].add(new Mark(e.getKey(), e.getValue())));
    }

    /** Whether a takeover of the session applied here at {@code index} is older than this node's hold of it. */
    boolean stale(int partition, String clientId, long index) {
        Long since = marks[partition].get(clientId);
        return since != null && index <= since;
    }

    /** This node's copy of the partition applied the entry at {@code index}; on the partition's applying thread. */
    void applied(int partition, long index) {
        Queue<Mark> queue = pending[partition];
        // Marks arrive nearly in index order: one out of order only stays a little longer.
        for (Mark m = queue.peek(); m != null && m.index() <= index; m = queue.peek()) {
            queue.poll();
            marks[partition].remove(m.clientId(), m.index());
        }
    }

    /** Marks still waiting, for tests. */
    int size() {
        int n = 0;
        for (Map<String, Long> m : marks) {
            n += m.size();
        }
        return n;
    }
}
