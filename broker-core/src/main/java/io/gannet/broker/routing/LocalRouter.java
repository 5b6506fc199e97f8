package io.gannet.broker.routing;

import io.gannet.broker.message.Message;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.shared.SharedGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.CompletableFuture;

/**
 * Routes messages to the sessions of this broker. The trie is matched on the publisher's thread; sessions owned
 * by that event loop get the message at once, sessions of other loops get it in one hand-off task per loop.
 *
 * <p>A payload larger than {@link #INLINE_PAYLOAD_MAX} is copied once into a pooled direct buffer that every
 * subscriber's write shares (each takes its own reference), so a message to a thousand subscribers is one payload
 * copy, not a thousand. A smaller one is cheaper to copy behind each subscriber's header than to share.
 */
public final class LocalRouter implements MessageRouter {
    /** Payloads of up to this many bytes are copied into each PUBLISH; larger ones are shared among subscribers. */
    public static final int INLINE_PAYLOAD_MAX = 512;

    private final LocalSubscriptions subscriptions;
    private final ByteBufAllocator alloc;
    private final FastThreadLocal<Fanout> fanouts = new FastThreadLocal<>() {
        @Override
        protected Fanout initialValue() {
            return new Fanout();
        }
    };

    public LocalRouter(LocalSubscriptions subscriptions, ByteBufAllocator alloc) {
        this.subscriptions = subscriptions;
        this.alloc = alloc;
    }

    @Override
    public Routed route(Message message, Session publisher) {
        return route(message, publisher, SharedGroupFilter.ALL, null, null);
    }

    /**
     * Routes {@code message} to this broker's sessions, where each matching shared group takes it only if
     * {@code groups} says so: in a cluster, a group with members on other nodes too takes a message on one node.
     */
    public Routed route(Message message, Session publisher, SharedGroupFilter groups) {
        return route(message, publisher, groups, null, null);
    }

    /**
     * Delivers {@code message} to one member of this broker's shared group {@code shareName} on {@code filter},
     * and to nobody else: another node of a cluster placed the message with this node's members of the group.
     *
     * @return {@link Routed#NO_SUBSCRIBERS} if the group has no member here (any more)
     */
    public Routed routeToGroup(Message message, String shareName, String filter) {
        return route(message, null, null, shareName, filter);
    }

    /**
     * @param groups    which matching shared groups take the message here; unused with {@code onlyShare}
     * @param onlyShare the one shared group to deliver to (with {@code onlyFilter}), and no plain subscription;
     *                  or {@code null}
     */
    private Routed route(Message message, Session publisher, SharedGroupFilter groups, String onlyShare,
                         String onlyFilter) {
        Fanout fanout = fanouts.get();
        if (fanout.inUse) {
            fanout = new Fanout(); // re-entered from a delivery on this thread: do not clobber the outer fan-out
        }
        fanout.inUse = true;
        fanout.begin(message, publisher, onlyShare == null ? groups : fanout.onlyGroup(onlyShare, onlyFilter));
        try {
            if (onlyShare == null) {
                subscriptions.match(message.topic(), fanout, fanout.sharedVisitor);
            } else {
                subscriptions.matchShared(message.topic(), fanout.sharedVisitor);
            }
            int n = fanout.count + fanout.sharedCount;
            if (n == 0) {
                return Routed.NO_SUBSCRIBERS;
            }
            int size = message.payload().length;
            ByteBuf payload = size > INLINE_PAYLOAD_MAX ? alloc.directBuffer(size).writeBytes(message.payload()) : null;
            CompletableFuture<Void> kept;
            try {
                // The loops stay here rather than in a method of their own: one frame less on the publish path.
                Dispatch d = fanout.dispatch.begin(message, payload);
                for (int i = 0; i < fanout.count; i++) {
                    boolean retain = fanout.retainAsPublished[i] && message.retain();
                    d.deliver(fanout.sessions[i], fanout.qos[i], retain, fanout.subscriptionIds(i), null);
                }
                for (int i = 0; i < fanout.sharedCount; i++) {
                    Subscription pick = fanout.sharedPicks[i];
                    int[] ids = pick.subscriptionId() == 0 ? null : new int[] {pick.subscriptionId()};
                    d.deliver(pick.session(), Math.min(message.qos(), pick.qos()),
                            pick.retainAsPublished() && message.retain(), ids, fanout.sharedGroups[i]);
                }
                kept = d.handOff();
            } finally {
                if (payload != null) {
                    payload.release();
                }
            }
            return kept == null ? Routed.delivered(n) : new Routed(n, kept);
        } finally {
            fanout.end();
            fanout.inUse = false;
        }
    }

    /** The deliveries of one message to the sessions of one other event loop, run there. */
    static final class RemoteDelivery implements Runnable {
        final EventLoop loop;
        final Message message;
        /** The shared payload, or {@code null} for a small one. */
        final ByteBuf payload;
        Session[] sessions = new Session[4];
        int[] qos = new int[4];
        boolean[] retain = new boolean[4];
        int[][] subscriptionIds = new int[4][];
        SharedGroup[] groups = new SharedGroup[4];
        /** Per delivery, the gate that waits for it, or null; the array only once one does. */
        StoredGate[] gates;
        int count;

        RemoteDelivery(EventLoop loop, Message message, ByteBuf payload) {
            this.loop = loop;
            this.message = message;
            this.payload = payload;
        }

        void add(Session s, int q, boolean r, int[] ids, SharedGroup group, StoredGate gate) {
            if (gate != null && gates == null) {
                gates = new StoredGate[sessions.length];
            }
            if (count == sessions.length) {
                sessions = java.util.Arrays.copyOf(sessions, count * 2);
                qos = java.util.Arrays.copyOf(qos, count * 2);
                retain = java.util.Arrays.copyOf(retain, count * 2);
                subscriptionIds = java.util.Arrays.copyOf(subscriptionIds, count * 2);
                groups = java.util.Arrays.copyOf(groups, count * 2);
                if (gates != null) {
                    gates = java.util.Arrays.copyOf(gates, count * 2);
                }
            }
            if (gates != null) {
                gates[count] = gate;
            }
            sessions[count] = s;
            qos[count] = q;
            retain[count] = r;
            subscriptionIds[count] = ids;
            groups[count] = group;
            count++;
        }

        @Override
        public void run() {
            try {
                for (int i = 0; i < count; i++) {
                    Session s = sessions[i];
                    StoredGate gate = gates == null ? null : gates[i];
                    if (s.owner().inEventLoop()) {
                        arrive(gate, s.outbound().deliver(message, qos[i], retain[i], subscriptionIds[i], groups[i],
                                payload));
                    } else {
                        // The session moved to another loop meanwhile; follow it (rare: reconnects only).
                        int q = qos[i];
                        boolean r = retain[i];
                        int[] ids = subscriptionIds[i];
                        SharedGroup g = groups[i];
                        s.execute(() -> arrive(gate, s.outbound().deliver(message, q, r, ids, g, null)));
                    }
                }
            } finally {
                releasePayload();
            }
        }

        /** A persistent session answered: its gate, if one waits for it, learns what its journal does. */
        private static void arrive(StoredGate gate, CompletableFuture<Void> stored) {
            if (gate != null) {
                gate.arriveWhen(stored);
            }
        }

        /** The loop is shutting down: nothing is delivered, and waiting acknowledgements learn it. */
        void abandon(Throwable why) {
            if (gates != null) {
                for (int i = 0; i < count; i++) {
                    if (gates[i] != null) {
                        gates[i].accept(null, why);
                    }
                }
            }
            releasePayload();
        }

        void releasePayload() {
            if (payload != null) {
                payload.release();
            }
        }
    }
}
