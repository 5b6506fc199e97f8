package io.gannet.cluster;

import io.gannet.broker.topic.TopicTrie;
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
 * the same entries; read by the router on every event loop at once, lock-free, through the trie.
 */
final class RoutingTable {
    private final TopicTrie<NodeRef> trie = new TopicTrie<>(node -> node);
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
            trie.add(filter, ref(node));
        }
    }

    synchronized void remove(String node, String filter) {
        Set<String> filters = filtersByNode.get(node);
        if (filters != null && filters.remove(filter)) {
            trie.remove(filter, ref(node));
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

    /** Empties the table, before a snapshot is loaded into it. */
    synchronized void clear() {
        for (Map.Entry<String, Set<String>> e : filtersByNode.entrySet()) {
            for (String f : e.getValue()) {
                trie.remove(f, ref(e.getKey()));
            }
        }
        filtersByNode.clear();
    }

    /** Visits the nodes with a subscriber whose filter matches {@code topic}. Lock-free; allocates nothing. */
    void match(String topic, Consumer<NodeRef> visitor) {
        trie.match(topic, visitor);
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

    /** Entries in the table: (node, filter) pairs. */
    int size() {
        return trie.size();
    }

    /** The filters a node has subscribers for, for tests and diagnostics. */
    synchronized Set<String> filtersOf(String node) {
        return Set.copyOf(filtersByNode.getOrDefault(node, Set.of()));
    }

    private NodeRef ref(String node) {
        return nodes.computeIfAbsent(node, id -> new NodeRef(id, -1));
    }
}
