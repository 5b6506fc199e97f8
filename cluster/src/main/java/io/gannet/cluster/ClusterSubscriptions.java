package io.gannet.cluster;

import io.gannet.broker.session.ShareGroup;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.session.SubscriptionIndex;
import io.gannet.broker.topic.TopicTrie;
import io.gannet.broker.topic.Topics;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's subscription index, counted per filter: the cluster hears of a filter when its first local subscriber
 * arrives and when its last one leaves, never of each client. Client churn on a filter that stays subscribed costs
 * the cluster nothing.
 *
 * <p>A shared subscription is announced as its group, {@code $share/{name}/{filter}}: the cluster learns which nodes
 * have members of a group, and each message to it goes to one of those nodes. Filters that begin with {@code $}
 * are not announced: they match only {@code $} topics, which stay on their node. A filter with a persistent session's
 * subscriber is announced once more, as {@code $durable/{filter}}, counted apart: other nodes then wait for this
 * one to keep their QoS 1 and 2 messages before they acknowledge them.
 */
final class ClusterSubscriptions implements SubscriptionIndex {
    private final SubscriptionIndex local;
    private final String nodeId;
    private final MetadataProposer announcer;
    private final DepartedFilters departed;
    private final AppliedIndex applied;
    /** Local subscribers per filter; a filter is in the map exactly while the cluster is told this node has it. */
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();
    /** The filters of persistent sessions' plain subscriptions here, as this node has them now (not as announced). */
    private final TopicTrie<String> durableHere = new TopicTrie<>(filter -> filter);
    /**
     * Held while a filter's count changes and while the whole set is announced: a change then comes wholly before
     * or after the set in the announcer's queue. Without it, a filter counted while the set was read could have its
     * Add queued before a set that lacked it, and lose its route. Subscriptions only, never a message's path.
     */
    private final Object announcing = new Object();

    /**
     * @param departed hears of each persistent session's subscription that leaves
     * @param applied  how far this node has applied the metadata log
     */
    ClusterSubscriptions(SubscriptionIndex local, String nodeId, MetadataProposer announcer, DepartedFilters departed,
                         AppliedIndex applied) {
        this.local = local;
        this.nodeId = nodeId;
        this.announcer = announcer;
        this.departed = departed;
        this.applied = applied;
    }

    @Override
    public boolean add(Subscription subscription) {
        boolean added = local.add(subscription);
        String announced = announced(subscription);
        if (added && announced != null) {
            // The durable route first: were the plain one applied alone, for that moment another node would send
            // the filter's QoS 1 and 2 messages here without waiting for this node to keep them, and acknowledge
            // them before the session's partition had even heard of the session.
            if (isDurable(subscription)) {
                count(RoutingTable.DURABLE_PREFIX + announced);
            }
            count(announced);
        }
        return added;
    }

    @Override
    public boolean remove(Subscription subscription) {
        boolean durable = isDurable(subscription);
        if (durable) {
            // Noted before it goes from the index: a message routed here without it is checked against it.
            departed.left(subscription.filter(), applied.get());
        }
        boolean removed = local.remove(subscription);
        String announced = announced(subscription);
        if (removed && announced != null) {
            // The durable route first too: a durable route left alone would have other nodes count on this one to
            // keep messages for a subscriber that is gone, and fail them.
            if (durable) {
                uncount(RoutingTable.DURABLE_PREFIX + announced);
            }
            uncount(announced);
        }
        return removed;
    }

    /** Tells the cluster this node's whole set of filters again: the others dropped them, taking it for down. */
    void announceAll() {
        synchronized (announcing) {
            announcer.propose(new MetadataChange.Replace(nodeId, List.copyOf(counts.keySet())));
        }
    }

    private void count(String announced) {
        synchronized (announcing) {
            countLocked(announced);
        }
    }

    private void countLocked(String announced) {
        // compute() holds the filter's bin while the change is queued, so the changes of one filter are queued in
        // the order the counts changed.
        counts.compute(announced, (filter, n) -> {
            if (n == null) {
                announcer.propose(new MetadataChange.Add(nodeId, filter));
                if (filter.startsWith(RoutingTable.DURABLE_PREFIX)) {
                    durableHere.add(filter.substring(RoutingTable.DURABLE_PREFIX.length()), filter);
                }
                return 1;
            }
            return n + 1;
        });
    }

    private void uncount(String announced) {
        synchronized (announcing) {
            uncountLocked(announced);
        }
    }

    private void uncountLocked(String announced) {
        counts.computeIfPresent(announced, (filter, n) -> {
            if (n == 1) {
                announcer.propose(new MetadataChange.Remove(nodeId, filter));
                if (filter.startsWith(RoutingTable.DURABLE_PREFIX)) {
                    durableHere.remove(filter.substring(RoutingTable.DURABLE_PREFIX.length()), filter);
                }
                return null;
            }
            return n - 1;
        });
    }

    /**
     * Whether a persistent session here has a plain subscription matching {@code topic}, as of now: another node
     * may still route to this one for a session that has moved on, until the routes catch up.
     */
    boolean hasDurableSubscriber(String topic) {
        boolean[] found = new boolean[1];
        durableHere.match(topic, filter -> found[0] = true);
        return found[0];
    }

    /**
     * Whether other nodes should wait for this one to keep what it gets for {@code s}: a plain subscription of a
     * session that outlives its connection. A shared group's messages are not waited for.
     */
    private static boolean isDurable(Subscription s) {
        return !s.isShared() && s.session() != null && s.session().isPersistent();
    }

    /**
     * What the cluster is told of {@code s}: its filter, or its group's for a shared one; {@code null} for a filter
     * of {@code $} topics, which never leave their node ({@code $SYS}).
     */
    private static String announced(Subscription s) {
        if (s.filter().startsWith("$")) {
            return null;
        }
        return s.isShared() ? Topics.SHARE_PREFIX + s.shareName() + '/' + s.filter() : s.filter();
    }

    @Override
    public ShareGroup sharedGroup(String shareName, String filter) {
        return local.sharedGroup(shareName, filter);
    }
}
