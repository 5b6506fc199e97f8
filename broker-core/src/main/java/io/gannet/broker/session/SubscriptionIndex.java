package io.gannet.broker.session;

/**
 * The broker-wide index of subscriptions that routing matches messages against: every subscription, plain or
 * shared, is added and removed here, and only here. This is the port a cluster implements to replicate which nodes
 * have subscribers for which filters; routing's {@code LocalSubscriptions} serves one broker.
 *
 * <p>Called on the event loop of the session the subscription belongs to; safe for many loops at once.
 */
public interface SubscriptionIndex {
    /**
     * Adds a subscription, or replaces the session's subscription of the same key.
     *
     * @return true when the session had no subscription of this key, false when this one replaced it
     */
    boolean add(Subscription subscription);

    /**
     * Removes a subscription of its session.
     *
     * @return whether the session had it
     */
    boolean remove(Subscription subscription);

    /** The shared group {@code $share/{shareName}/{filter}}, or {@code null} when it has no member. */
    ShareGroup sharedGroup(String shareName, String filter);
}
