package io.gannet.broker.retain;

import io.gannet.broker.routing.Message;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Retained messages in a tree of topic levels, so that a subscription with wildcards finds its messages without
 * scanning every topic. Readers walk concurrent maps without locks; a writer locks only the node of its topic.
 * Empty branches are pruned when a retained message is cleared.
 */
public final class InMemoryRetainedStore implements RetainedStore {
    private final Node root = new Node(null, "");
    private final AtomicInteger size = new AtomicInteger();
    private final Clock clock;

    /** @param clock decides when a retained message's Message Expiry Interval has passed */
    public InMemoryRetainedStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void put(Message message) {
        List<String> levels = levels(message.topic());
        if (message.payload().length == 0) {
            clear(levels);
            return;
        }
        Message retained = message.withRetain(true);
        while (true) {
            Node node = root;
            for (String level : levels) {
                Node parent = node;
                node = parent.children.computeIfAbsent(level, l -> new Node(parent, l));
            }
            synchronized (node) {
                // A concurrent clear may have pruned this branch between the walk and the lock: walk again.
                if (!attached(node)) {
                    continue;
                }
                if (node.message == null) {
                    size.incrementAndGet();
                }
                node.message = retained;
                return;
            }
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
            if (m.isExpired(clock.millis())) {
                clearExpired(node, m); // an expired retained message is gone [MQTT-3.3.2-5]
            } else {
                action.accept(m);
            }
        }
    }

    private void clearExpired(Node node, Message expired) {
        synchronized (node) {
            if (node.message == expired) {
                node.message = null;
                size.decrementAndGet();
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
