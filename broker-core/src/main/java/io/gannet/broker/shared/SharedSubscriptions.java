package io.gannet.broker.shared;

import io.gannet.broker.session.Subscription;
import io.gannet.broker.topic.TopicTrie;
import io.gannet.broker.topic.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every shared subscription group of the broker, found by topic through a trie whose entries are groups. Adding
 * and removing members is serialized here (subscribes are rare); matching is the trie's lock-free read.
 */
public final class SharedSubscriptions {
    /** {@code $queue/{filter}} is accepted as the one group named "$queue", as other brokers do. */
    public static final String QUEUE_PREFIX = "$queue/";
    private static final String QUEUE_GROUP = "$queue";

    private final TopicTrie<SharedGroup> trie = new TopicTrie<>(g -> g);
    private final Map<String, SharedGroup> groups = new HashMap<>();

    /** A shared subscription filter split into its parts; {@code null} from {@link #parse} when not shared. */
    public record SharedFilter(String shareName, String filter) {
    }

    /**
     * Splits {@code $share/{name}/{filter}} or {@code $queue/{filter}}.
     *
     * @return the parts, or {@code null} when {@code filter} is not a shared subscription
     * @throws IllegalArgumentException for a share name or filter the spec forbids [MQTT-4.8.2-1, MQTT-4.8.2-2]
     */
    public static SharedFilter parse(String filter) {
        if (filter.startsWith(QUEUE_PREFIX)) {
            return checked(QUEUE_GROUP, filter.substring(QUEUE_PREFIX.length()));
        }
        if (!filter.startsWith(Topics.SHARE_PREFIX)) {
            return null;
        }
        String rest = filter.substring(Topics.SHARE_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("a shared subscription needs $share/{ShareName}/{filter}");
        }
        return checked(rest.substring(0, slash), rest.substring(slash + 1));
    }

    private static SharedFilter checked(String shareName, String filter) {
        if (shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
            throw new IllegalArgumentException("the ShareName may not contain + or # [MQTT-4.8.2-2]");
        }
        if (!Topics.isValidFilter(filter)) {
            throw new IllegalArgumentException("'" + filter + "' is not a valid topic filter");
        }
        return new SharedFilter(shareName, filter);
    }

    /**
     * Adds (or replaces) a session's membership of the group {@code sub.shareName()} at {@code sub.filter()}.
     *
     * @return true when the session was not a member
     */
    public synchronized boolean add(Subscription sub) {
        String key = sub.shareName() + '\u0000' + sub.filter();
        SharedGroup group = groups.get(key);
        if (group == null) {
            group = new SharedGroup(sub.shareName(), sub.filter());
            groups.put(key, group);
            trie.add(sub.filter(), group);
        }
        return group.add(sub);
    }

    /** Removes a session's membership; the group goes when its last member does. Returns whether it was one. */
    public synchronized boolean remove(Subscription sub) {
        String key = sub.shareName() + '\u0000' + sub.filter();
        SharedGroup group = groups.get(key);
        if (group == null || !group.remove(sub.session())) {
            return false;
        }
        if (group.size() == 0) {
            groups.remove(key);
            trie.remove(sub.filter(), group);
        }
        return true;
    }

    /** Calls {@code visitor} with every group whose filter matches {@code topic}. Lock-free; allocates nothing. */
    public void match(String topic, Consumer<SharedGroup> visitor) {
        trie.match(topic, visitor);
    }

    /** The number of groups. */
    public int size() {
        return trie.size();
    }

    /** The group {@code $share/{shareName}/{filter}}, or {@code null} when it has no member. */
    public synchronized SharedGroup group(String shareName, String filter) {
        return groups.get(shareName + '\u0000' + filter);
    }

    /** Whether the group exists and how many members it has, for tests and $SYS. */
    public synchronized int members(String shareName, String filter) {
        SharedGroup g = groups.get(shareName + '\u0000' + filter);
        return g == null ? 0 : g.size();
    }

}
