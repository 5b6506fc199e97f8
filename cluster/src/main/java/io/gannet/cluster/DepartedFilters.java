package io.gannet.cluster;

import io.gannet.broker.topic.TopicTrie;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The filters of persistent sessions' subscriptions that left this node lately, each with how far this node had
 * applied the metadata log when one last left.
 *
 * <p>Every node routes by its own copy of that log, and a copy may lag behind the others. When a session moves from
 * this node to another, this node lets go of it once it has applied the new node's routes; a node that has not yet
 * still routes the session's messages here alone. If this node has another persistent subscriber to the same filter,
 * it would keep such a message for that one and acknowledge it, and the moved session would never get it. So a
 * QoS 1 or 2 message routed here with routes older than a departure from a filter it matches is answered as not
 * kept: its publisher sends it again, routed by newer routes (the other subscribers here may get it twice, as QoS 1
 * allows). A node that has caught up routes with an index past every departure, and nothing fails.
 *
 * <p>A departure is forgotten {@link #KEEP_MILLIS} after it, when the next one is noted: by then every node that
 * routes has applied it, or is so far behind that it cannot reach a majority either.
 */
final class DepartedFilters {
    /** How long a departure is remembered. */
    static final long KEEP_MILLIS = 60_000;
    /** The one owner of every entry: a filter has one entry, the latest departure from it. */
    private static final Object OWNER = new Object();

    private final TopicTrie<Departure> trie = new TopicTrie<>(d -> OWNER);
    /** The latest departure from each filter in the trie; guarded by {@link #byAge}. */
    private final Map<String, Departure> latest = new HashMap<>();
    /** Every departure in the order noted, for forgetting them; guarded by itself. */
    private final ArrayDeque<Departure> byAge = new ArrayDeque<>();
    private final LongSupplier clockMillis;

    /**
     * @param filter  a filter of a persistent session's subscription that left
     * @param applied how far this node had applied the metadata log when it left
     */
    private record Departure(String filter, long applied, long atMillis) {
    }

    DepartedFilters(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /**
     * A persistent session's subscription to {@code filter} left this node, which had applied the log to
     * {@code applied}.
     */
    void left(String filter, long applied) {
        long now = clockMillis.getAsLong();
        synchronized (byAge) {
            Departure oldest;
            while ((oldest = byAge.peekFirst()) != null && now - oldest.atMillis() > KEEP_MILLIS) {
                byAge.pollFirst();
                if (latest.remove(oldest.filter(), oldest)) { // not if a later departure from it replaced it
                    trie.remove(oldest.filter(), OWNER);
                }
            }
            Departure before = latest.get(filter);
            Departure d = new Departure(filter, before == null ? applied : Math.max(applied, before.applied()), now);
            latest.put(filter, d);
            trie.add(filter, d);
            byAge.addLast(d);
        }
    }

    /**
     * Looks up topics for one thread; it allocates nothing, so each thread that asks keeps its own.
     */
    Probe probe() {
        return new Probe();
    }

    /** Asks, on one thread, whether a message may have been meant for a session that left. */
    final class Probe implements Consumer<Departure> {
        private long routedAt;
        private boolean missed;

        private Probe() {
        }

        /**
         * Whether a message to {@code topic}, routed by routes as of metadata index {@code routedAt}, may have been
         * meant for a persistent session's subscription that left this node after that.
         */
        boolean leftSince(String topic, long routedAt) {
            if (trie.size() == 0) {
                return false;
            }
            this.routedAt = routedAt;
            this.missed = false;
            trie.match(topic, this);
            return missed;
        }

        @Override
        public void accept(Departure d) {
            if (d.applied() > routedAt) {
                missed = true;
            }
        }
    }
}
