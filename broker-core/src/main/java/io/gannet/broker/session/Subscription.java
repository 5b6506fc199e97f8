package io.gannet.broker.session;

import io.gannet.broker.store.SubscriptionRecord;

/**
 * One subscription of a session, as the topic trie holds it.
 *
 * @param qos               the granted maximum QoS
 * @param noLocal           5.0: do not deliver the session's own messages back to it
 * @param retainAsPublished 5.0: keep the RETAIN flag of forwarded messages as published
 * @param retainHandling    5.0: 0 send retained messages on subscribe, 1 only for a new subscription, 2 never
 * @param subscriptionId    5.0 Subscription Identifier, 0 when none
 * @param shareName         the group of a shared subscription ({@code $share/{shareName}/{filter}}), or {@code null}
 */
public record Subscription(Session session, String filter, int qos, boolean noLocal, boolean retainAsPublished,
                           int retainHandling, int subscriptionId, String shareName) {

    /** A plain (not shared) subscription. */
    public Subscription(Session session, String filter, int qos, boolean noLocal, boolean retainAsPublished,
                        int retainHandling, int subscriptionId) {
        this(session, filter, qos, noLocal, retainAsPublished, retainHandling, subscriptionId, null);
    }

    static Subscription of(Session session, SubscriptionRecord r) {
        return new Subscription(session, r.filter(), r.qos(), r.noLocal(), r.retainAsPublished(), r.retainHandling(),
                r.subscriptionId(), r.shareName());
    }

    public boolean isShared() {
        return shareName != null;
    }

    /** How the client names it: the filter, or {@code $share/{shareName}/{filter}}. */
    public String key() {
        return shareName == null ? filter : "$share/" + shareName + "/" + filter;
    }

    /** The subscription as a store keeps it. */
    public SubscriptionRecord record() {
        return new SubscriptionRecord(filter, qos, noLocal, retainAsPublished, retainHandling, subscriptionId,
                shareName);
    }
}
