package io.gannet.cluster;

import io.gannet.broker.message.Message;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.routing.Routed;
import io.gannet.broker.session.Session;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Routes a message to this node's sessions and to every other node with a matching subscriber, found in the
 * replicated {@link RoutingTable}. The other nodes deliver it to their own sessions only, never onward, so a message
 * crosses at most one link. Each node with a matching subscriber counts as one receiver, so a 5.0 publisher's "no
 * matching subscribers" (0x10) needs no answer from another node.
 *
 * <p>A shared subscription group with members on several nodes takes each message on one of them: this node picks
 * one, round robin ({@link SharedPlacement}), before it routes the message here, and the message goes to that node
 * marked for the group. The group then delivers it to one member there, and nowhere else.
 *
 * <p>Topics that begin with {@code $} stay on their node: {@code $SYS} describes the node it is published on.
 */
final class ClusterRouter implements MessageRouter {
    private final LocalRouter local;
    private final RoutingTable table;
    private final AppliedIndex applied;
    private final NodeLinks links;
    private final int selfIndex;
    private final FastThreadLocal<NodeMask> masks = new FastThreadLocal<>() {
        @Override
        protected NodeMask initialValue() {
            return new NodeMask();
        }
    };

    private final FastThreadLocal<SharedPicks> picks = new FastThreadLocal<>() {
        @Override
        protected SharedPicks initialValue() {
            return new SharedPicks(selfIndex);
        }
    };

    ClusterRouter(LocalRouter local, RoutingTable table, AppliedIndex applied, NodeLinks links, int selfIndex) {
        this.local = local;
        this.table = table;
        this.applied = applied;
        this.links = links;
        this.selfIndex = selfIndex;
    }

    @Override
    public Routed route(Message message, Session publisher) {
        String topic = message.topic();
        if (!topic.isEmpty() && topic.charAt(0) == '$') {
            return local.route(message, publisher);
        }
        // Read before the table: the routes matched below are at least those of this index, which the receivers
        // compare with their sessions' departures (DepartedFilters).
        long routedAt = applied.get();
        SharedPicks shared = picks.get();
        if (shared.inUse) {
            shared = new SharedPicks(selfIndex); // a delivery published again on this thread: keep the outer picks
        }
        shared.inUse = true;
        try {
            table.matchShared(topic, shared);
            Routed here = shared.count() == 0 ? local.route(message, publisher)
                    : local.route(message, publisher, shared);
            NodeMask mask = masks.get();
            mask.bits = 0;
            table.match(topic, mask);
            long others = mask.bits & ~(1L << selfIndex);
            long durable = 0;
            if (message.qos() > 0) {
                // Nodes with a persistent session's subscriber: a live one is among the others already; a node
                // found down keeps these entries until its sessions are adopted, and the message fails there.
                mask.bits = 0;
                table.matchDurable(topic, mask);
                durable = mask.bits & ~(1L << selfIndex);
                others |= durable;
            }
            long groupNodes = shared.otherNodes();
            if ((others | groupNodes) == 0) {
                return here;
            }
            // Each node with a matching subscriber, and each group placed elsewhere, counts as one receiver, also
            // when its link is down and the message is dropped (and counted) there: 0x10 says that nobody
            // subscribed, not that a link failed. A QoS 1 or 2 message for a node with a persistent session's
            // subscriber is acknowledged only once that node has kept it; the publisher hears of a failure.
            CompletableFuture<Void> remote = links.send(others, durable, message, shared, routedAt);
            int groupsElsewhere = shared.count() - shared.countFor(selfIndex);
            return here.plus(Long.bitCount(others) + groupsElsewhere).alsoWaitingFor(remote);
        } finally {
            shared.clear();
            shared.inUse = false;
        }
    }

    /** Collects the matching nodes' bits; one per thread, reused for every message. */
    private static final class NodeMask implements Consumer<NodeRef> {
        long bits;

        @Override
        public void accept(NodeRef node) {
            if (node.index() >= 0) {
                bits |= 1L << node.index();
            }
        }
    }
}
