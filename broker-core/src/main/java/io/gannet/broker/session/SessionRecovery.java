package io.gannet.broker.session;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.SubscriptionRecord;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
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
        List<Runnable> clocks = new ArrayList<>(snapshots.size());
        for (SessionSnapshot snapshot : snapshots) {
            EventLoop loop = loops.get();
            loop.submit(() -> {
                Session s = restore(snapshot, loop, context);
                if (s != null) {
                    clocks.add(() -> loop.execute(() -> startClocks(s, snapshot)));
                }
            }).syncUninterruptibly();
        }
        clocks.forEach(Runnable::run);
        return clocks.size();
    }

    private static Session restore(SessionSnapshot snapshot, EventLoop loop, SessionContext context) {
        Session s = new Session(snapshot.clientId(), loop, context);
        if (!context.registry().add(s)) {
            return null; // the store named a client id twice: the first snapshot wins
        }
        s.restoreExpiry(snapshot.expirySeconds());
        s.openJournal(context.store().recovered(snapshot));
        for (SubscriptionRecord r : snapshot.subscriptions()) {
            s.subscriptionSet().restore(r);
        }
        for (int packetId : snapshot.inboundQos2()) {
            s.inboundQos2().restore(packetId);
        }
        s.outbound().restore(snapshot);
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
                s.context().wills().publishWill(will);
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
