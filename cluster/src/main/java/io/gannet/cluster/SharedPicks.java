package io.gannet.cluster;

import io.gannet.broker.routing.SharedGroupFilter;
import io.gannet.broker.shared.SharedGroup;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The node chosen for each shared group one message matches, across the cluster: collected from the routing table
 * before the message is routed, then read by the local router (does this node's group take it?) and by the links
 * (which groups does a peer deliver it to?). One per event loop, reused for every message.
 */
final class SharedPicks implements Consumer<SharedPlacement>, SharedGroupFilter {
    private final int selfIndex;
    private SharedPlacement[] groups = new SharedPlacement[4];
    private int[] nodes = new int[4];
    private int count;
    /** Whether a message is being routed with these picks: a delivery that publishes again needs picks of its own. */
    boolean inUse;

    SharedPicks(int selfIndex) {
        this.selfIndex = selfIndex;
    }

    void clear() {
        Arrays.fill(groups, 0, count, null);
        count = 0;
    }

    int count() {
        return count;
    }

    /** A matching group: picks its node for this message. */
    @Override
    public void accept(SharedPlacement group) {
        int node = group.next();
        if (node < 0) {
            return;
        }
        if (count == groups.length) {
            groups = Arrays.copyOf(groups, count * 2);
            nodes = Arrays.copyOf(nodes, count * 2);
        }
        groups[count] = group;
        nodes[count] = node;
        count++;
    }

    /**
     * A group of this node takes the message when the pick was this node, or when the cluster does not know the
     * group yet (its first member joined here a moment ago, and the announcement is on its way).
     */
    @Override
    public boolean deliversHere(SharedGroup group) {
        for (int i = 0; i < count; i++) {
            SharedPlacement p = groups[i];
            if (p.shareName().equals(group.shareName()) && p.filter().equals(group.filter())) {
                return nodes[i] == selfIndex;
            }
        }
        return true;
    }

    /** The other nodes picked for at least one group, a bit each. */
    long otherNodes() {
        long mask = 0;
        for (int i = 0; i < count; i++) {
            if (nodes[i] != selfIndex) {
                mask |= 1L << nodes[i];
            }
        }
        return mask;
    }

    /** How many groups were placed with the node {@code index}. */
    int countFor(int index) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (nodes[i] == index) {
                n++;
            }
        }
        return n;
    }

    /** These picks, for another thread. */
    SharedPicks copy() {
        SharedPicks c = new SharedPicks(selfIndex);
        c.groups = Arrays.copyOf(groups, Math.max(1, count));
        c.nodes = Arrays.copyOf(nodes, Math.max(1, count));
        c.count = count;
        return c;
    }

    /** The node of the {@code i}th pick. */
    int node(int i) {
        return nodes[i];
    }

    /** The group of the {@code i}th pick. */
    SharedPlacement group(int i) {
        return groups[i];
    }
}
