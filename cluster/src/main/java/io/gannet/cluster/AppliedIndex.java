package io.gannet.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How far this node's copy of the metadata log has applied: the routes this node knows are those of that index.
 * Each node applies the log on its own; one that lags routes by older routes, and a message it routes carries the
 * index its routes were as of (see {@link DepartedFilters}).
 *
 * <p>Advanced on Ratis's applying thread after each entry's changes are in the routing table, so that a reader that
 * reads the index first and the table after sees at least the routes of that index.
 */
final class AppliedIndex {
    private volatile long index;
    /** Waits for an index not applied yet; guarded by itself. Few: one per session handed over at a time. */
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(long index, CompletableFuture<Void> reached) {
    }

    /** The index of the last entry applied here; 0 before the first. Any thread. */
    long get() {
        return index;
    }

    /** Completes once this node has applied the entry at {@code wanted}; at once if it has. */
    CompletableFuture<Void> reached(long wanted) {
        if (index >= wanted) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (waiters) {
            if (index >= wanted) { // applied since the first look
                return CompletableFuture.completedFuture(null);
            }
            Waiter w = new Waiter(wanted, new CompletableFuture<>());
            waiters.add(w);
            return w.reached();
        }
    }

    /** This node has applied the entry at {@code applied}, and every one before it. */
    void advance(long applied) {
        List<CompletableFuture<Void>> passed = null;
        synchronized (waiters) {
            if (applied <= index) {
                return;
            }
            index = applied;
            for (int i = waiters.size() - 1; i >= 0; i--) {
                if (waiters.get(i).index() <= applied) {
                    if (passed == null) {
                        passed = new ArrayList<>(1);
                    }
                    passed.add(waiters.remove(i).reached());
                }
            }
        }
        if (passed != null) {
            passed.forEach(f -> f.complete(null)); // outside the lock: what waits may run here
        }
    }
}
