package io.gannet.broker.topic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The subscription index: a tree of topic levels whose nodes hold the entries subscribed at that filter.
 *
 * <p>Reads are lock-free and allocate nothing: {@link #match} runs on every event loop at once, finds a child by
 * hashing the level's characters in place (no substring) and reads only volatile fields and arrays. Writes
 * (subscribe, unsubscribe) are rare next to matches; they take one lock among themselves and publish each change
 * with a single volatile write, so a reader sees a node either before or after a change, never half of it.
 *
 * <p>Each owner (a session) has at most one entry per filter [MQTT-3.8.4-3]: adding an entry for an owner that
 * already has one at that filter replaces it.
 *
 * @param <T> the entry type, such as a subscription
 */
public final class TopicTrie<T> {
    private static final Object[] NO_ENTRIES = new Object[0];

    private final Function<T, Object> ownerOf;
    private final Node root = new Node("", 0);
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile int size;

    /** @param ownerOf gives the owner of an entry; an owner has at most one entry per filter */
    public TopicTrie(Function<T, Object> ownerOf) {
        this.ownerOf = ownerOf;
    }

    /** The number of entries in the trie. */
    public int size() {
        return size;
    }

    /**
     * Adds {@code entry} at {@code filter}, replacing the entry its owner had there.
     *
     * @return the replaced entry, or {@code null} if the owner had none at this filter
     */
    @SuppressWarnings("unchecked")
    public T add(String filter, T entry) {
        Object owner = ownerOf.apply(entry);
        writeLock.lock();
        try {
            Node node = root;
            for (String level : levels(filter)) {
                node = node.childForWrite(level);
            }
            Object[] entries = node.entries;
            for (int i = 0; i < entries.length; i++) {
                if (ownerOf.apply((T) entries[i]) == owner) {
                    Object[] copy = entries.clone();
                    copy[i] = entry;
                    node.entries = copy;
                    return (T) entries[i];
                }
            }
            Object[] copy = Arrays.copyOf(entries, entries.length + 1);
            copy[entries.length] = entry;
            node.entries = copy;
            size = size + 1;
            return null;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Removes the entry {@code owner} has at {@code filter} and prunes nodes left empty.
     *
     * @return the removed entry, or {@code null} if there was none
     */
    @SuppressWarnings("unchecked")
    public T remove(String filter, Object owner) {
        writeLock.lock();
        try {
            List<String> levels = levels(filter);
            Node[] path = new Node[levels.size() + 1];
            path[0] = root;
            for (int i = 0; i < levels.size(); i++) {
                path[i + 1] = path[i].existingChild(levels.get(i));
                if (path[i + 1] == null) {
                    return null;
                }
            }
            Node node = path[levels.size()];
            Object[] entries = node.entries;
            for (int i = 0; i < entries.length; i++) {
                if (ownerOf.apply((T) entries[i]) == owner) {
                    Object[] copy = new Object[entries.length - 1];
                    System.arraycopy(entries, 0, copy, 0, i);
                    System.arraycopy(entries, i + 1, copy, i, entries.length - i - 1);
                    node.entries = copy.length == 0 ? NO_ENTRIES : copy;
                    size = size - 1;
                    for (int k = levels.size(); k > 0 && path[k].isEmpty(); k--) {
                        path[k - 1].removeChild(path[k]);
                    }
                    return (T) entries[i];
                }
            }
            return null;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Calls {@code visitor} with every entry whose filter matches the topic name {@code topic}. A name starting with
     * '$' is not matched by a filter starting with a wildcard [MQTT-4.7.2-1]. Allocates nothing.
     */
    public void match(String topic, Consumer<? super T> visitor) {
        boolean dollar = !topic.isEmpty() && topic.charAt(0) == '$';
        visit(root, topic, 0, visitor, dollar);
    }

    /**
     * @param start the index in {@code topic} where the next level starts, or -1 when every level was matched
     * @param noWildcards whether wildcards must not match this level (the first level of a '$' topic)
     */
    private void visit(Node node, String topic, int start, Consumer<? super T> visitor, boolean noWildcards) {
        if (start < 0) {
            emit(node.entries, visitor);
            Node hash = node.hash;
            if (hash != null) {
                emit(hash.entries, visitor); // "a/#" matches "a" [MQTT-4.7.1-2]
            }
            return;
        }
        int end = topic.indexOf('/', start);
        if (end < 0) {
            end = topic.length();
        }
        int next = end < topic.length() ? end + 1 : -1;
        if (!noWildcards) {
            Node hash = node.hash;
            if (hash != null) {
                emit(hash.entries, visitor);
            }
            Node plus = node.plus;
            if (plus != null) {
                visit(plus, topic, next, visitor, false);
            }
        }
        Node child = node.child(topic, start, end);
        if (child != null) {
            visit(child, topic, next, visitor, false);
        }
    }

    @SuppressWarnings("unchecked")
    private void emit(Object[] entries, Consumer<? super T> visitor) {
        for (Object e : entries) {
            visitor.accept((T) e);
        }
    }

    /** Calls {@code visitor} with every entry, for statistics and snapshots. Not for the publish path. */
    @SuppressWarnings("unchecked")
    public void forEach(Consumer<? super T> visitor) {
        List<Node> stack = new ArrayList<>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            for (Object e : n.entries) {
                visitor.accept((T) e);
            }
            n.forEachChild(stack::add);
        }
    }

    static List<String> levels(String filter) {
        List<String> levels = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = filter.indexOf('/', start);
            if (end < 0) {
                levels.add(filter.substring(start));
                return levels;
            }
            levels.add(filter.substring(start, end));
            start = end + 1;
        }
    }

    /** String.hashCode over a range, without making the substring. */
    static int hash(String s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }

    /** One topic level. Fields read by matchers are volatile; all writes happen under the trie's write lock. */
    private static final class Node {
        private static final Node TOMBSTONE = new Node("", 0);

        final String level;
        final int levelHash;
        volatile Object[] entries = NO_ENTRIES;
        volatile Node plus;
        volatile Node hash;
        /** Open addressing with linear probing; removed slots hold TOMBSTONE so probe chains stay intact. */
        volatile AtomicReferenceArray<Node> children;
        /** Live children and tombstones in {@code children}; written under the lock only. */
        int childCount;
        int tombstones;

        Node(String level, int levelHash) {
            this.level = level;
            this.levelHash = levelHash;
        }

        boolean isEmpty() {
            return entries.length == 0 && plus == null && hash == null && childCount == 0;
        }

        Node child(String topic, int start, int end) {
            AtomicReferenceArray<Node> table = children;
            if (table == null) {
                return null;
            }
            int len = end - start;
            int h = TopicTrie.hash(topic, start, end);
            int mask = table.length() - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                Node n = table.get(i);
                if (n == null) {
                    return null;
                }
                if (n != TOMBSTONE && n.levelHash == h && n.level.length() == len
                        && topic.regionMatches(start, n.level, 0, len)) {
                    return n;
                }
            }
        }

        Node existingChild(String level) {
            return switch (level) {
                case "+" -> plus;
                case "#" -> hash;
                default -> child(level, 0, level.length());
            };
        }

        Node childForWrite(String level) {
            Node existing = existingChild(level);
            if (existing != null) {
                return existing;
            }
            Node n = new Node(level, TopicTrie.hash(level, 0, level.length()));
            switch (level) {
                case "+" -> plus = n;
                case "#" -> hash = n;
                default -> insertChild(n);
            }
            return n;
        }

        private void insertChild(Node n) {
            AtomicReferenceArray<Node> table = children;
            if (table == null || (childCount + tombstones + 1) * 2 > table.length()) {
                table = rebuilt(Math.max(4, Integer.highestOneBit(Math.max(1, childCount + 1) * 4)));
                children = table; // readers switch to the new table whole
            }
            int mask = table.length() - 1;
            for (int i = n.levelHash & mask; ; i = (i + 1) & mask) {
                Node slot = table.get(i);
                if (slot == null || slot == TOMBSTONE) {
                    if (slot == TOMBSTONE) {
                        tombstones--;
                    }
                    table.set(i, n); // one volatile write: readers see the child or not
                    childCount++;
                    return;
                }
            }
        }

        void removeChild(Node child) {
            if (child == plus) {
                plus = null;
                return;
            }
            if (child == hash) {
                hash = null;
                return;
            }
            AtomicReferenceArray<Node> table = children;
            int mask = table.length() - 1;
            for (int i = child.levelHash & mask; ; i = (i + 1) & mask) {
                Node slot = table.get(i);
                if (slot == null) {
                    return;
                }
                if (slot == child) {
                    table.set(i, TOMBSTONE);
                    childCount--;
                    tombstones++;
                    if (childCount == 0) {
                        children = null;
                        tombstones = 0;
                    } else if (tombstones > childCount) {
                        children = rebuilt(table.length());
                    }
                    return;
                }
            }
        }

        /** A fresh table holding the live children, without tombstones. */
        private AtomicReferenceArray<Node> rebuilt(int capacity) {
            AtomicReferenceArray<Node> fresh = new AtomicReferenceArray<>(capacity);
            AtomicReferenceArray<Node> old = children;
            if (old != null) {
                int mask = capacity - 1;
                for (int k = 0; k < old.length(); k++) {
                    Node n = old.get(k);
                    if (n != null && n != TOMBSTONE) {
                        int i = n.levelHash & mask;
                        while (fresh.get(i) != null) {
                            i = (i + 1) & mask;
                        }
                        fresh.set(i, n);
                    }
                }
            }
            tombstones = 0;
            return fresh;
        }

        void forEachChild(Consumer<Node> action) {
            if (plus != null) {
                action.accept(plus);
            }
            if (hash != null) {
                action.accept(hash);
            }
            AtomicReferenceArray<Node> table = children;
            if (table != null) {
                for (int i = 0; i < table.length(); i++) {
                    Node n = table.get(i);
                    if (n != null && n != TOMBSTONE) {
                        action.accept(n);
                    }
                }
            }
        }
    }
}
