package io.gannet.broker.session;

import io.gannet.broker.store.SubscriptionRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A session's subscriptions by the name the client gave them: kept here for the session, in the broker's
 * {@link SubscriptionIndex} for routing, and in the session's journal when it is persistent. Touched only on the
 * session's event loop.
 */
final class SessionSubscriptions {
    private final Session session;
    private final SubscriptionIndex index;
    /** The empty {@code Map.of()} until the first SUBSCRIBE: many sessions (publishers, idle devices) never have one. */
    private Map<String, Subscription> byKey = Map.of();

    SessionSubscriptions(Session session, SubscriptionIndex index) {
        this.session = session;
        this.index = index;
    }

    /**
     * Adds or replaces a subscription; returns the one it replaced, or {@code null}.
     *
     * @param kept gets what the journal keeping it completes, if that has not happened yet
     */
    Subscription add(Subscription subscription, List<CompletableFuture<Void>> kept) {
        if (byKey.isEmpty()) {
            byKey = new HashMap<>(4);
        }
        Subscription old = byKey.put(subscription.key(), subscription);
        index.add(subscription);
        if (session.isDurable()) {
            CompletableFuture<Void> written = session.journal().subscribed(subscription.record());
            if (written != null && !(written.isDone() && !written.isCompletedExceptionally())) {
                kept.add(written);
            }
        }
        return old;
    }

    /** Removes the subscription of this key; returns whether there was one. */
    boolean remove(String key) {
        Subscription removed = byKey.isEmpty() ? null : byKey.remove(key);
        if (removed == null) {
            return false;
        }
        index.remove(removed);
        if (session.isDurable()) {
            session.journal().unsubscribed(key);
        }
        return true;
    }

    /** Removes every subscription from the index, without journal events: the session's state is going as a whole. */
    void clear() {
        if (!byKey.isEmpty()) { // a new session's clean start has none: not even an iterator then
            for (Subscription s : byKey.values()) {
                index.remove(s);
            }
            byKey = Map.of();
        }
    }

    /** Puts back a subscription of a recovered session: indexed, not journaled again. */
    void restore(SubscriptionRecord r) {
        if (byKey.isEmpty()) {
            byKey = new HashMap<>(4);
        }
        Subscription s = Subscription.of(session, r);
        byKey.put(s.key(), s);
        index.add(s);
    }

    boolean has(String key) {
        return byKey.containsKey(key);
    }

    Collection<Subscription> all() {
        return byKey.values();
    }
}
