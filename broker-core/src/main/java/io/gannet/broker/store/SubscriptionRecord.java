package io.gannet.broker.store;

/**
 * One subscription of a session, as a store keeps it: the options the client gave and the broker granted.
 *
 * @param filter            the topic filter, without a shared subscription's prefix
 * @param qos               the granted maximum QoS
 * @param noLocal           5.0: the session's own messages are not delivered back to it
 * @param retainAsPublished 5.0: forwarded messages keep their RETAIN flag
 * @param retainHandling    5.0: 0 send retained messages on subscribe, 1 only for a new subscription, 2 never
 * @param subscriptionId    5.0 Subscription Identifier, 0 when none
 * @param shareName         the group of a shared subscription, or {@code null}
 */
public record SubscriptionRecord(String filter, int qos, boolean noLocal, boolean retainAsPublished,
                                 int retainHandling, int subscriptionId, String shareName) {
    /** How the client names it: the filter, or {@code $share/{shareName}/{filter}}; unique within a session. */
    public String key() {
        return shareName == null ? filter : "$share/" + shareName + "/" + filter;
    }
}
