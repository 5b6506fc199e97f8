package io.gannet.broker.store;

import io.gannet.broker.message.Message;
import java.util.concurrent.CompletableFuture;

/**
 * Where every durable change of one persistent session leaves the core, as it happens: the port a durable store
 * (or a cluster that replicates sessions) implements. A clean session (expiry 0) has no journal: nothing of it
 * outlives its connection.
 *
 * <p>Threading: called only on the session's event loop, in the order the changes happened, and must never block
 * it. The events that guard an acknowledgement return a completion: the broker sends the publisher's PUBACK or
 * PUBREC only once it completes, so a store acknowledges only what it has written. An implementation that has
 * nothing to wait for returns {@link #DONE}, which the core checks without allocating.
 *
 * <p>A message is named by the session's sequence number ({@link StoredMessage#seq()}) from the time it reaches the
 * session ({@link #queued}) until it leaves ({@link #removed}, or an acknowledgement of its packet id).
 */
public interface SessionJournal {
    /** The completion of a change that needs no waiting. */
    CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** The journal of a session nothing is kept of. */
    SessionJournal NONE = new SessionJournal() {
    };

    /**
     * A client resumed the session (Clean Start 0 on a session that outlived its connection).
     *
     * @param will             the will of the new connection, or {@code null}
     * @param willDelaySeconds its Will Delay Interval
     */
    default void resumed(SessionOwner owner, long expirySeconds, Message will, long willDelaySeconds) {
    }

    /** The client's connection ended at {@code atMillis}; the session now waits out its expiry. */
    default void disconnected(long atMillis) {
    }

    /** A 5.0 DISCONNECT changed the Session Expiry Interval. */
    default void expiryChanged(long expirySeconds) {
    }

    /**
     * A subscription was made, or replaced one with the same {@link SubscriptionRecord#key()}.
     *
     * @return completes once the subscription is kept as the store promises; the SUBACK waits for it, so that a
     *         session the client finds again after a crash has every subscription it was granted
     */
    default CompletableFuture<Void> subscribed(SubscriptionRecord subscription) {
        return DONE;
    }

    /** The subscription of this key was removed. */
    default void unsubscribed(String key) {
    }

    /**
     * A message reached the session; it waits in the queue until {@link #sent}. A message sent at once comes as
     * {@link #queuedAndSent} instead.
     *
     * @return completes once the message is kept as the store promises; a QoS 1 or 2 publisher is acknowledged then
     */
    default CompletableFuture<Void> queued(StoredMessage message) {
        return DONE;
    }

    /**
     * A message reached the session and was sent to the client at once under {@code packetId} (QoS 1 or 2): the
     * usual path of a client that keeps up, as one event so that a store can keep it as one entry.
     *
     * @return as {@link #queued}; when it completes exceptionally at once, the message is not kept and not sent
     */
    default CompletableFuture<Void> queuedAndSent(StoredMessage message, int packetId) {
        CompletableFuture<Void> kept = queued(message);
        if (!kept.isCompletedExceptionally()) {
            sent(message.seq(), packetId);
        }
        return kept;
    }

    /** The queued message {@code seq} was sent to the client under {@code packetId} (QoS 1 or 2). */
    default void sent(long seq, int packetId) {
    }

    /**
     * The message {@code seq}, queued or in flight, left the session with no acknowledgement to wait for: written at
     * QoS 0, dropped (queue full, expired, refused by an interceptor or by the client's PUBREC), or handed to another
     * member of its shared subscription.
     */
    default void removed(long seq) {
    }

    /** PUBACK: the QoS 1 delivery under {@code packetId} is done. */
    default void pubAckReceived(int packetId) {
    }

    /** PUBREC: the QoS 2 delivery under {@code packetId} was received; PUBREL was sent. */
    default void pubRecReceived(int packetId) {
    }

    /** PUBCOMP: the QoS 2 delivery under {@code packetId} is done. */
    default void pubCompReceived(int packetId) {
    }

    /**
     * A QoS 2 message came from the client under {@code packetId}; until it is released, a resend is not routed again.
     *
     * @return completes once kept; the PUBREC waits for it
     */
    default CompletableFuture<Void> inboundQos2Stored(int packetId) {
        return DONE;
    }

    /** PUBREL: the inbound QoS 2 message under {@code packetId} is released. */
    default void inboundQos2Released(int packetId) {
    }

    /** The connection was lost and its will waits for its delay: it is due at {@code dueAtMillis}. */
    default void willPending(Message will, long dueAtMillis) {
    }

    /** The will is gone: published, or cancelled by a normal DISCONNECT or the client's return. */
    default void willCleared() {
    }

    /**
     * The session ended: its state is gone and this journal receives nothing more.
     *
     * @param expired whether its expiry interval ran out (rather than a clean start, an expiry of 0, or an
     *                administrator ending it)
     */
    default void ended(boolean expired) {
    }
}
