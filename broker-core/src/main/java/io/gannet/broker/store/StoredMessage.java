package io.gannet.broker.store;

import io.gannet.broker.message.Message;

/**
 * A message a session holds for its client, queued or in flight, as a store keeps it.
 *
 * @param seq             the session's number for it: increasing in the order messages reached the session, and
 *                        how later events ({@link SessionJournal#sent}, {@link SessionJournal#removed}) name it
 * @param qos             the QoS it is delivered at (the lower of the published and the granted one)
 * @param retain          the RETAIN flag it is delivered with
 * @param subscriptionIds the 5.0 Subscription Identifiers of the matching subscriptions, or {@code null}
 * @param sharedGroup     the shared subscription it came through ({@code $share/{name}/{filter}}), or {@code null}
 */
public record StoredMessage(long seq, Message message, int qos, boolean retain, int[] subscriptionIds,
                            String sharedGroup) {
}
