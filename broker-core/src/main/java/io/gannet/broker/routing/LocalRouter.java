package io.gannet.broker.routing;

import io.gannet.broker.session.Session;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.shared.SharedGroup;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.TopicTrie;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.List;

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

    private final TopicTrie<Subscription> trie;
    private final SharedSubscriptions shared;
    private final ByteBufAllocator alloc;
    private final FastThreadLocal<Fanout> fanouts = new FastThreadLocal<>() {
        @Override
        protected Fanout initialValue() {
            return new Fanout();
        }
    };

    public LocalRouter(TopicTrie<Subscription> trie, SharedSubscriptions shared, ByteBufAllocator alloc) {
        this.trie = trie;
        this.shared = shared;
        this.alloc = alloc;
    }

    @Override
    public int route(Message message, Session publisher) {
        Fanout fanout = fanouts.get();
        if (fanout.inUse) {
            fanout = new Fanout(); // re-entered from a delivery on this thread: do not clobber the outer fan-out
        }
        fanout.inUse = true;
        fanout.begin(message, publisher);
        try {
            trie.match(message.topic(), fanout);
            shared.match(message.topic(), fanout.sharedVisitor);
            int n = fanout.count + fanout.sharedCount;
            if (n == 0) {
                return 0;
            }
            int size = message.payload().length;
            ByteBuf payload = size > INLINE_PAYLOAD_MAX ? alloc.directBuffer(size).writeBytes(message.payload()) : null;
            try {
                dispatch(message, fanout, payload);
            } finally {
                if (payload != null) {
                    payload.release();
                }
            }
            return n;
        } finally {
            fanout.end();
            fanout.inUse = false;
        }
    }

    private static void dispatch(Message message, Fanout fanout, ByteBuf payload) {
        List<RemoteDelivery> remote = null;
        for (int i = 0; i < fanout.count; i++) {
            boolean retain = fanout.retainAsPublished[i] && message.retain();
            remote = deliver(message, fanout.sessions[i], fanout.qos[i], retain, fanout.subscriptionIds(i), null,
                    payload, remote);
        }
        for (int i = 0; i < fanout.sharedCount; i++) {
            Subscription pick = fanout.sharedPicks[i];
            int[] ids = pick.subscriptionId() == 0 ? null : new int[] {pick.subscriptionId()};
            remote = deliver(message, pick.session(), Math.min(message.qos(), pick.qos()),
                    pick.retainAsPublished() && message.retain(), ids, fanout.sharedGroups[i], payload, remote);
        }
        if (remote != null) {
            for (RemoteDelivery r : remote) {
                try {
                    r.loop.execute(r);
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    r.releasePayload();
                }
            }
        }
    }

    /** Delivers at once on this loop, or adds to the hand-off batch of the session's loop. */
    private static List<RemoteDelivery> deliver(Message message, Session s, int qos, boolean retain, int[] ids,
                                                SharedGroup group, ByteBuf payload, List<RemoteDelivery> remote) {
        EventLoop loop = s.owner();
        if (loop.inEventLoop()) {
            s.deliver(message, qos, retain, ids, group, payload);
            return remote;
        }
        List<RemoteDelivery> batches = remote == null ? new ArrayList<>(2) : remote;
        RemoteDelivery batch = null;
        for (RemoteDelivery r : batches) {
            if (r.loop == loop) {
                batch = r;
                break;
            }
        }
        if (batch == null) {
            batch = new RemoteDelivery(loop, message, payload == null ? null : payload.retain());
            batches.add(batch);
        }
        batch.add(s, qos, retain, ids, group);
        return batches;
    }

    /** The deliveries of one message to the sessions of one other event loop, run there. */
    private static final class RemoteDelivery implements Runnable {
        final EventLoop loop;
        final Message message;
        /** The shared payload, or {@code null} for a small one. */
        final ByteBuf payload;
        Session[] sessions = new Session[4];
        int[] qos = new int[4];
        boolean[] retain = new boolean[4];
        int[][] subscriptionIds = new int[4][];
        SharedGroup[] groups = new SharedGroup[4];
        int count;

        RemoteDelivery(EventLoop loop, Message message, ByteBuf payload) {
            this.loop = loop;
            this.message = message;
            this.payload = payload;
        }

        void add(Session s, int q, boolean r, int[] ids, SharedGroup group) {
            if (count == sessions.length) {
                sessions = java.util.Arrays.copyOf(sessions, count * 2);
                qos = java.util.Arrays.copyOf(qos, count * 2);
                retain = java.util.Arrays.copyOf(retain, count * 2);
                subscriptionIds = java.util.Arrays.copyOf(subscriptionIds, count * 2);
                groups = java.util.Arrays.copyOf(groups, count * 2);
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
                    if (s.owner().inEventLoop()) {
                        s.deliver(message, qos[i], retain[i], subscriptionIds[i], groups[i], payload);
                    } else {
                        // The session moved to another loop meanwhile; follow it (rare: reconnects only).
                        int q = qos[i];
                        boolean r = retain[i];
                        int[] ids = subscriptionIds[i];
                        SharedGroup g = groups[i];
                        s.execute(() -> s.deliver(message, q, r, ids, g, null));
                    }
                }
            } finally {
                releasePayload();
            }
        }

        void releasePayload() {
            if (payload != null) {
                payload.release();
            }
        }
    }
}
