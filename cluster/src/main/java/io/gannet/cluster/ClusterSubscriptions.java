package io.gannet.cluster;

import io.gannet.broker.session.ShareGroup;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.session.SubscriptionIndex;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's subscription index, counted per filter: the cluster hears of a filter when its first local subscriber
 * arrives and when its last one leaves, never of each client. Client churn on a filter that stays subscribed costs
 * the cluster nothing.
 *
 * <p>Filters that begin with {@code $} are not announced: they match only {@code $} topics, which stay on their
 * node. Shared subscriptions stay on their node for now: a message reaches the members of a group on the node it was
 * published on (docs/cluster.md says so).
 */
final class ClusterSubscriptions implements SubscriptionIndex {
    private final SubscriptionIndex local;
    private final String nodeId;
    private final MetadataProposer announcer;
    /** Local subscribers per filter; a filter is in the map exactly while the cluster is told this node has it. */
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    ClusterSubscriptions(SubscriptionIndex local, String nodeId, MetadataProposer announcer) {
        this.local = local;
        this.nodeId = nodeId;
        this.announcer = announcer;
    }

    @Override
    public boolean add(Subscription subscription) {
        boolean added = local.add(subscription);
        if (added && announced(subscription)) {
            // compute() holds the filter's bin while the change is queued, so the changes of one filter are
            // queued in the order the counts changed.
            counts.compute(subscription.filter(), (filter, n) -> {
                if (n == null) {
                    announcer.propose(new MetadataChange.Add(nodeId, filter));
                    return 1;
                }
                return n + 1;
            });
        }
        return added;
    }

    @Override
    public boolean remove(Subscription subscription) {
        boolean removed = local.remove(subscription);
        if (removed && announced(subscription)) {
            counts.computeIfPresent(subscription.filter(), (filter, n) -> {
                if (n == 1) {
                    announcer.propose(new MetadataChange.Remove(nodeId, filter));
                    return null;
                }
                return n - 1;
            });
        }
        return removed;
    }

    /** Filters of {@code $} topics match only topics that never leave their node ({@code $SYS}). */
    private static boolean announced(Subscription s) {
        return !s.isShared() && !s.filter().startsWith("$");
    }

    @Override
    public ShareGroup sharedGroup(String shareName, String filter) {
        return local.sharedGroup(shareName, filter);
    }
}
