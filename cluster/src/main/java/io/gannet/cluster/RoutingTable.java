package io.gannet.cluster;

import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.TopicTrie;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Which nodes have subscribers for which filters: one entry per node and filter, never one per client. Changed only
 * by the metadata state machine as it applies the Raft log, so every node holds the same table once it has applied
 * the same entries; read by the router on every event loop at once, lock-free, through the tries.
 *
 * <p>A shared subscription group is an entry whose filter is the group's own, {@code $share/{name}/{filter}}: in
 * the log and in snapshots it is one more filter of the node, and here it goes to the {@link SharedPlacement} of
 * its group, found by topic through a trie of its own.
 *
 * <p>A filter with a persistent session's subscriber is also announced as {@code $durable/{filter}}, kept in a trie
 * of its own: a QoS 1 or 2 message for such a node is acknowledged to its publisher only once that node has it
 * kept. Messages for nodes with only clean sessions' subscribers are not held up by them.
 */
final class RoutingTable {
    /** What a node announces for a filter with a persistent session's subscriber, beside the filter itself. */
    static final String DURABLE_PREFIX = "$durable/";

    private final TopicTrie<NodeRef> trie = new TopicTrie<>(node -> node);
    private final TopicTrie<NodeRef> durableTrie = new TopicTrie<>(node -> node);
    /** The groups by their filter; several groups on one filter differ by share name. */
    private final TopicTrie<SharedPlacement> sharedTrie = new TopicTrie<>(p -> p);
    private final Map<String, SharedPlacement> placements = new HashMap<>();
    /** The same entries by node, for snapshots and for replacing a node's whole set. Guarded by this. */
    private final Map<String, Set<String>> filtersByNode = new HashMap<>();
    private final Map<String, NodeRef> nodes = new HashMap<>();

    /** @param known the configured nodes, with their indexes */
    RoutingTable(List<NodeRef> known) {
        for (NodeRef n : known) {
            nodes.put(n.id(), n);
        }
    }

    synchronized void add(String node, String filter) {
        if (filtersByNode.computeIfAbsent(node, k -> new HashSet<>()).add(filter)) {
            if (filter.startsWith(DURABLE_PREFIX)) {
                durableTrie.add(filter.substring(DURABLE_PREFIX.length()), ref(node));
                return;
            }
            SharedSubscriptions.SharedFilter shared = sharedFilter(filter);
            if (shared == null) {
                trie.add(filter, ref(node));
            } else {
                placements.computeIfAbsent(filter, f -> {
                    SharedPlacement p = new SharedPlacement(shared.shareName(), shared.filter());
                    sharedTrie.add(shared.filter(), p);
                    return p;
                }).setNode(ref(node).index(), true);
            }
        }
    }

    synchronized void remove(String node, String filter) {
        Set<String> filters = filtersByNode.get(node);
        if (filters != null && filters.remove(filter)) {
            if (filter.startsWith(DURABLE_PREFIX)) {
                durableTrie.remove(filter.substring(DURABLE_PREFIX.length()), ref(node));
                return;
            }
            SharedPlacement p = placements.get(filter);
            if (p == null) {
                trie.remove(filter, ref(node));
                return;
            }
            p.setNode(ref(node).index(), false);
            if (filtersByNode.values().stream().noneMatch(f -> f.contains(filter))) {
                placements.remove(filter);
                sharedTrie.remove(p.filter(), p);
            }
        }
    }

    /** The parts of a group's filter; {@code null} for a plain filter, or one no node should have announced. */
    private static SharedSubscriptions.SharedFilter sharedFilter(String filter) {
        if (!filter.startsWith("$")) {
            return null;
        }
        try {
            return SharedSubscriptions.parse(filter);
        } catch (IllegalArgumentException e) {
            return null; // kept as a plain entry, which matches no topic a client may publish to
        }
    }

    /** Makes {@code filters} the node's whole set: a node announces that when it starts. */
    synchronized void replace(String node, Collection<String> filters) {
        for (String f : List.copyOf(filtersByNode.getOrDefault(node, Set.of()))) {
            if (!filters.contains(f)) {
                remove(node, f);
            }
        }
        for (String f : filters) {
            add(node, f);
        }
    }

    /** As {@link #replace}, but the node's {@code $durable/} entries stay. */
    synchronized void replaceKeepingDurable(String node, Collection<String> filters) {
        List<String> kept = new ArrayList<>(filters);
        for (String f : filtersByNode.getOrDefault(node, Set.of())) {
            if (f.startsWith(DURABLE_PREFIX)) {
                kept.add(f);
            }
        }
        replace(node, kept);
    }

    /**
     * Makes the table a snapshot's, node by node: a node's entries that the snapshot has too stay in place
     * throughout. A node that loads the leader's snapshot while it routes (it had fallen behind the log) so never
     * sends a message as if a subscriber that is in both were gone.
     */
    synchronized void replaceAll(Map<String, ? extends Collection<String>> filters) {
        for (String node : List.copyOf(filtersByNode.keySet())) {
            if (!filters.containsKey(node)) {
                replace(node, List.of());
            }
        }
        filters.forEach(this::replace);
    }

    /** Visits the nodes with a subscriber whose filter matches {@code topic}. Lock-free; allocates nothing. */
    void match(String topic, Consumer<NodeRef> visitor) {
        trie.match(topic, visitor);
    }

    /**
     * Visits the nodes with a persistent session's subscriber whose filter matches {@code topic}. Lock-free;
     * allocates nothing, and costs one read when no node has one.
     */
    void matchDurable(String topic, Consumer<NodeRef> visitor) {
        if (durableTrie.size() > 0) {
            durableTrie.match(topic, visitor);
        }
    }

    /**
     * Visits the shared groups whose filter matches {@code topic}, with members on at least one node. Lock-free;
     * allocates nothing, and costs one read when the cluster has no shared group.
     */
    void matchShared(String topic, Consumer<SharedPlacement> visitor) {
        if (sharedTrie.size() > 0) {
            sharedTrie.match(topic, visitor);
        }
    }

    /** A copy of every node's filters, sorted, for a snapshot. */
    synchronized Map<String, Set<String>> copy() {
        Map<String, Set<String>> copy = new TreeMap<>();
        filtersByNode.forEach((node, filters) -> {
            if (!filters.isEmpty()) {
                copy.put(node, new TreeSet<>(filters));
            }
        });
        return copy;
    }

    /** Entries in the table: (node, filter) pairs of plain filters. */
    int size() {
        return trie.size();
    }

    /** Shared subscription groups with members on some node. */
    int sharedGroups() {
        return sharedTrie.size();
    }

    /** Entries in the table: (node, shared group) pairs; counted when asked, for $SYS. */
    synchronized int sharedRoutes() {
        int n = 0;
        for (Set<String> filters : filtersByNode.values()) {
            for (String f : filters) {
                if (placements.containsKey(f)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The filters a node has subscribers for, for tests and diagnostics. */
    synchronized Set<String> filtersOf(String node) {
        return Set.copyOf(filtersByNode.getOrDefault(node, Set.of()));
    }

    /**
     * A node joined the cluster at {@code ref}'s place: messages route to it from now on. Entries it had as an
     * unknown node (none, as the log orders a node's join before its routes) are kept.
     */
    synchronized void addNode(NodeRef ref) {
        Set<String> had = new HashSet<>(filtersByNode.getOrDefault(ref.id(), Set.of()));
        replace(ref.id(), List.of());
        nodes.put(ref.id(), ref);
        replace(ref.id(), had);
    }

    /** The node of that id, as messages route to it; index -1 for one this table does not know. */
    synchronized NodeRef node(String id) {
        return ref(id);
    }

    private NodeRef ref(String node) {
        return nodes.computeIfAbsent(node, id -> new NodeRef(id, -1));
    }
}
