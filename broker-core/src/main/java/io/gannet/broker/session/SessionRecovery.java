package io.gannet.broker.session;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.SubscriptionRecord;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Rebuilds the persistent sessions a store hands back at start, before any listener opens: first the state of every
 * session (subscriptions, queued and in-flight messages, QoS 2 ids), then their clocks, so that a will already due
 * reaches every recovered subscriber. A session whose client was connected when the broker stopped counts as left
 * at the restart: its will and its expiry run from then.
 */
public final class SessionRecovery {
    private SessionRecovery() {
    }

    /**
     * Rebuilds the sessions, each on the event loop {@code loops} gives it, and registers them.
     *
     * @return how many sessions were rebuilt
     */
    public static int recover(List<SessionSnapshot> snapshots, Supplier<EventLoop> loops, SessionContext context) {
        // One task per event loop for all its sessions: a round trip per session cost 60 µs each, six seconds for
        // 100,000 sessions.
        Map<EventLoop, List<SessionSnapshot>> byLoop = new IdentityHashMap<>();
        for (SessionSnapshot snapshot : snapshots) {
            byLoop.computeIfAbsent(loops.get(), l -> new ArrayList<>()).add(snapshot);
        }
        Map<EventLoop, List<Restored>> restored = new IdentityHashMap<>();
        List<Future<?>> done = new ArrayList<>(byLoop.size());
        byLoop.forEach((loop, mine) -> {
            List<Restored> out = new ArrayList<>(mine.size());
            restored.put(loop, out);
            done.add(loop.submit(() -> {
                for (SessionSnapshot snapshot : mine) {
                    Session s = restore(snapshot, loop, context);
                    if (s != null) {
                        out.add(new Restored(s, snapshot));
                    }
                }
            }));
        });
        done.forEach(Future::syncUninterruptibly);
        // Every session is in place before any clock starts: a will already due reaches every recovered subscriber.
        int count = 0;
        for (Map.Entry<EventLoop, List<Restored>> e : restored.entrySet()) {
            List<Restored> mine = e.getValue();
            count += mine.size();
            e.getKey().execute(() -> mine.forEach(r -> startClocks(r.session, r.snapshot)));
        }
        return count;
    }

    private record Restored(Session session, SessionSnapshot snapshot) {
    }

    /**
     * Rebuilds one session that another broker of the cluster handed over, for a client that is connecting on
     * {@code loop} to resume it: its state, without clocks (its client is about to attach, which stops them). A clean
     * session, kept only for its will, ends at once instead, publishing its will. On {@code loop}.
     *
     * @return whether it was rebuilt; false when a session of that client id is here already
     */
    public static boolean adopt(SessionSnapshot snapshot, EventLoop loop, SessionContext context) {
        Session s = restore(snapshot, loop, context);
        if (s != null && snapshot.expirySeconds() == 0) {
            // What the cluster kept of a clean session whose broker died under it: the session ended with that
            // connection, and its will is due now.
            startClocks(s, snapshot);
        }
        return s != null;
    }

    private static Session restore(SessionSnapshot snapshot, EventLoop loop, SessionContext context) {
        Session s = new Session(snapshot.clientId(), loop, context);
        if (!context.registry().add(s)) {
            return null; // the store named a client id twice: the first snapshot wins
        }
        s.restoreExpiry(snapshot.expirySeconds());
        s.restoreOwner(snapshot.owner());
        s.openJournal(context.store().recovered(snapshot));
        for (SubscriptionRecord r : snapshot.subscriptions()) {
            s.subscriptionSet().restore(r);
        }
        for (int packetId : snapshot.inboundQos2()) {
            s.inboundQos2().restore(packetId);
        }
        s.outbound().restore(snapshot);
        // Its subscriptions are in place: a copy of it this broker was handing over is no longer needed.
        context.registry().endHandOver(snapshot.clientId());
        return s;
    }

    private static void startClocks(Session s, SessionSnapshot snapshot) {
        long now = s.context().clock().millis();
        long leftAt = snapshot.disconnectedAtMillis();
        if (leftAt == 0) {
            leftAt = now; // connected when the broker stopped: the restart is the connection's loss
            s.journal().disconnected(now);
        }
        Message will = snapshot.will();
        if (will != null) {
            long due = leftAt + snapshot.willDelaySeconds() * 1000;
            if (snapshot.willDelaySeconds() > 0 && due > now && snapshot.expirySeconds() > 0) {
                s.timers().willIn(will, due - now);
                s.journal().willPending(will, due);
            } else {
                s.journal().willCleared();
                s.context().wills().publishWill(will, s.lastClient());
            }
        }
        if (snapshot.expirySeconds() != Session.NEVER_EXPIRES) {
            long deadline = leftAt + snapshot.expirySeconds() * 1000;
            if (deadline <= now) {
                s.expired();
            } else {
                s.timers().expireIn(deadline - now);
            }
        }
    }
}
