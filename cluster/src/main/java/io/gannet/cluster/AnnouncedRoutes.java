package io.gannet.cluster;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this node's routing table holds what another node announced. A node's word that its routes are committed
 * as of a log index ({@code MOVED}) holds only while the log has not dropped them since: found down, a node loses its
 * routes in every table (its sessions' once they are adopted), and its own count of its filters, which decides what
 * it announces, does not change. A node found down while it runs announces its whole set again when it hears of it;
 * until that is applied here, what it said of its routes is not what this table holds.
 *
 * <p>Marked and cleared on Ratis's applying thread, in log order; read on any thread.
 */
final class AnnouncedRoutes {
    private static final CompletableFuture<Void> KNOWN = CompletableFuture.completedFuture(null);

    private final AppliedIndex applied;
    /** Nodes whose routes the log dropped, each with what completes once they announce their whole set again. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> dropped = new ConcurrentHashMap<>();

    AnnouncedRoutes(AppliedIndex applied) {
        this.applied = applied;
    }

    /** The log dropped the routes of {@code node}: it was found down, or it left. */
    void dropped(String node) {
        dropped.computeIfAbsent(node, n -> new CompletableFuture<>());
    }

    /** {@code node} announced its whole set of filters: this table holds its routes again. */
    void announced(String node) {
        CompletableFuture<Void> waiting = dropped.remove(node);
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    /**
     * A snapshot replaced the table: which nodes were found down in the entries it covers is not in it (the
     * failure detector finds them again), so nothing is waited for.
     */
    void forgetAll() {
        for (String node : List.copyOf(dropped.keySet())) {
            announced(node);
        }
    }

    /**
     * Completes once this node's table holds the routes that {@code node} said were committed as of log index
     * {@code routesAt}: this node has applied that far, and the log has not dropped them since, or {@code node} has
     * announced them again after. Any thread; what waits may run on the applying thread.
     */
    CompletableFuture<Void> reached(String node, long routesAt) {
        return applied.reached(routesAt).thenCompose(v -> dropped.getOrDefault(node, KNOWN));
    }
}
