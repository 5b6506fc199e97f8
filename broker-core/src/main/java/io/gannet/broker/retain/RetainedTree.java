package io.gannet.broker.retain;

import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.message.Message;
import java.time.Clock;
import io.gannet.broker.store.RetainedJournal;
import io.gannet.broker.store.StoreFullException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Retained messages in a tree of topic levels, so that a subscription with wildcards finds its messages without
 * scanning every topic. Readers walk concurrent maps without locks; a writer locks only the node of its topic.
 * Empty branches are pruned when a retained message is cleared. Each change is recorded in a {@link RetainedJournal}
 * (which keeps nothing without a durable store), and {@link #recover} fills the tree from it at start.
 */
public final class RetainedTree implements RetainedStore {
    private final Node root = new Node(null, "");
    private final AtomicInteger size = new AtomicInteger();
    /** Bytes of every retained message, as {@link #bytes} counts them. */
    private final AtomicLong bytes = new AtomicLong();
    private final Clock clock;
    private final RetainedJournal journal;
    private final int maxMessages;
    private final long maxBytes;
    private final Runnable onRefused;

    /** A tree kept in memory only, without limits. */
    public RetainedTree(Clock clock) {
        this(clock, RetainedJournal.NONE, Integer.MAX_VALUE, Long.MAX_VALUE, () -> { });
    }

    /**
     * @param clock       decides when a retained message's Message Expiry Interval has passed
     * @param maxMessages the most retained messages ({@code mqtt.max-retained-messages})
     * @param maxBytes    the most bytes they hold together ({@code mqtt.max-retained-bytes})
     * @param onRefused   hears of each message refused for the limits, to count it
     */
    public RetainedTree(Clock clock, RetainedJournal journal, int maxMessages, long maxBytes, Runnable onRefused) {
        this.clock = clock;
        this.journal = journal;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.onRefused = onRefused;
    }

    @Override
    public int recover() {
        int n = 0;
        long now = clock.millis();
        for (Message m : journal.recoverRetained()) {
            if (!m.isExpired(now) && m.payload().length > 0) {
                index(m.withRetain(true), true); // kept before: the limits may have been lowered since, not undone
                n++;
            }
        }
        return n;
    }

    @Override
    public CompletableFuture<Void> put(Message message) {
        List<String> levels = levels(message.topic());
        if (message.payload().length == 0) {
            clear(levels);
            return waitFor(journal.cleared(message.topic()));
        }
        Message retained = message.withRetain(true);
        if (!index(retained, false)) {
            onRefused.run();
            return CompletableFuture.failedFuture(new StoreFullException("no room for another retained message "
                    + "(mqtt.max-retained-messages " + maxMessages + ", mqtt.max-retained-bytes " + maxBytes + ")"));
        }
        return waitFor(journal.stored(retained));
    }

    /** What a retained message costs: its topic, properties and payload, as they are encoded. */
    private static long bytes(Message m) {
        return MqttWire.utf8Size(m.topic()) + m.properties().encodedLength() + m.payload().length;
    }

    /** What a publisher's acknowledgement waits for: nothing when the journal is done already. */
    private static CompletableFuture<Void> waitFor(CompletableFuture<Void> kept) {
        return kept.isDone() && !kept.isCompletedExceptionally() ? null : kept;
    }

    /** Stores the message at its topic; false if the limits leave no room for it (and {@code force} is not set). */
    private boolean index(Message retained, boolean force) {
        List<String> levels = levels(retained.topic());
        while (true) {
            Node node = root;
            for (String level : levels) {
                Node parent = node;
                node = parent.children.computeIfAbsent(level, l -> new Node(parent, l));
            }
            boolean refused;
            synchronized (node) {
                // A concurrent clear may have pruned this branch between the walk and the lock: walk again.
                if (!attached(node)) {
                    continue;
                }
                Message old = node.message;
                long delta = bytes(retained) - (old == null ? 0 : bytes(old));
                // Checked per node, not atomically across the tree: concurrent puts may pass the limits by a few.
                refused = !force && ((old == null && size.get() >= maxMessages)
                        || (delta > 0 && bytes.get() + delta > maxBytes));
                if (!refused) {
                    if (old == null) {
                        size.incrementAndGet();
                    }
                    bytes.addAndGet(delta);
                    node.message = retained;
                }
            }
            if (refused) {
                prune(node); // the walk may have made empty nodes: a refused topic must not cost memory
            }
            return !refused;
        }
    }

    private static boolean attached(Node node) {
        for (Node n = node; n.parent != null; n = n.parent) {
            if (n.parent.children.get(n.level) != n) {
                return false;
            }
        }
        return true;
    }

    private void clear(List<String> levels) {
        Node node = root;
        for (String level : levels) {
            node = node.children.get(level);
            if (node == null) {
                return;
            }
        }
        synchronized (node) {
            if (node.message != null) {
                bytes.addAndGet(-bytes(node.message));
                node.message = null;
                size.decrementAndGet();
            }
        }
        prune(node);
    }

    /** Removes empty leaf nodes upwards. A concurrent put may recreate a node; the next clear prunes it again. */
    private void prune(Node node) {
        while (node.parent != null) {
            Node parent = node.parent;
            synchronized (node) {
                if (node.message != null || !node.children.isEmpty()) {
                    return;
                }
                parent.children.remove(node.level, node);
            }
            node = parent;
        }
    }

    @Override
    public void match(String filter, Consumer<Message> action) {
        List<String> levels = levels(filter);
        match(root, levels, 0, action);
    }

    private void match(Node node, List<String> levels, int depth, Consumer<Message> action) {
        if (depth == levels.size()) {
            deliver(node, action);
            return;
        }
        String level = levels.get(depth);
        // Wildcards do not match a first level that starts with '$' [MQTT-4.7.2-1].
        boolean firstLevel = depth == 0;
        switch (level) {
            case "#" -> {
                deliver(node, action); // "a/#" matches "a" itself
                for (Node child : node.children.values()) {
                    if (!(firstLevel && child.level.startsWith("$"))) {
                        deliverAll(child, action);
                    }
                }
            }
            case "+" -> {
                for (Node child : node.children.values()) {
                    if (!(firstLevel && child.level.startsWith("$"))) {
                        match(child, levels, depth + 1, action);
                    }
                }
            }
            default -> {
                Node child = node.children.get(level);
                if (child != null) {
                    match(child, levels, depth + 1, action);
                }
            }
        }
    }

    private void deliver(Node node, Consumer<Message> action) {
        Message m = node.message;
        if (m != null) {
            if (m.isExpired(clock)) {
                clearExpired(node, m); // an expired retained message is gone [MQTT-3.3.2-5]
            } else {
                action.accept(m);
            }
        }
    }

    private void clearExpired(Node node, Message expired) {
        synchronized (node) {
            if (node.message == expired) {
                bytes.addAndGet(-bytes(expired));
                node.message = null;
                size.decrementAndGet();
                journal.cleared(expired.topic());
            }
        }
    }

    private void deliverAll(Node node, Consumer<Message> action) {
        deliver(node, action);
        for (Node child : node.children.values()) {
            deliverAll(child, action);
        }
    }

    @Override
    public int size() {
        return size.get();
    }

    private static List<String> levels(String topic) {
        return List.of(topic.split("/", -1));
    }

    private static final class Node {
        final Node parent;
        final String level;
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        volatile Message message;

        Node(Node parent, String level) {
            this.parent = parent;
            this.level = level;
        }
    }
}
