package io.gannet.cluster;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shared subscription group as the cluster sees it: which nodes have at least one member of
 * {@code $share/{shareName}/{filter}}, and the next of them to get a message. Each message to the group goes to
 * one of these nodes, round robin, and that node gives it to one of its members; so each node takes an equal share,
 * however many members it has, as the routing table holds nodes and not clients.
 */
final class SharedPlacement {
    private final String shareName;
    private final String filter;
    /** The nodes with members, a bit per node index; written by the state machine, read by every event loop. */
    private volatile long nodes;
    private final AtomicInteger turn = new AtomicInteger();

    SharedPlacement(String shareName, String filter) {
        this.shareName = shareName;
        this.filter = filter;
    }

    String shareName() {
        return shareName;
    }

    String filter() {
        return filter;
    }

    long nodes() {
        return nodes;
    }

    void setNode(int index, boolean member) {
        if (index >= 0) {
            nodes = member ? nodes | 1L << index : nodes & ~(1L << index);
        }
    }

    /** The node index for the next message, or -1 when no node has members. */
    int next() {
        long mask = nodes;
        int n = Long.bitCount(mask);
        if (n == 0) {
            return -1;
        }
        int k = Math.floorMod(turn.getAndIncrement(), n);
        for (int i = 0; i < k; i++) {
            mask &= mask - 1;
        }
        return Long.numberOfTrailingZeros(mask);
    }
}
