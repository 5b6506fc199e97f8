package io.gannet.spi.events;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Evolving;

/**
 * Notifications of what happens in the broker, for auditing, monitoring or integration. Implement the methods you
 * need; the others do nothing.
 *
 * <p>Threading: events are delivered one at a time, in the order the broker raised them, on the thread that runs
 * plugins' scheduled work, never on a network event loop. A slow listener delays every plugin's events: hand long
 * work to your own threads. A listener that throws is logged; the broker goes on.
 *
 * @since 1.0
 */
@Evolving
public interface BrokerEventListener {
    /** A client's CONNECT was accepted. */
    default void clientConnected(ClientConnected event) {
    }

    /** A client's connection ended, for the reason given. */
    default void clientDisconnected(ClientDisconnected event) {
    }

    /** A client subscribed (or re-subscribed) to a filter. */
    default void subscribed(Subscribed event) {
    }

    /** A client removed a subscription. */
    default void unsubscribed(Unsubscribed event) {
    }

    /**
     * A new session was created: a client connected with no session to resume (Clean Start, or none stored).
     */
    default void sessionCreated(SessionCreated event) {
    }

    /** A session ended: its client disconnected with Session Expiry 0 (a 3.1.1 clean session), or its expiry ran out. */
    default void sessionEnded(SessionEnded event) {
    }

    /**
     * A message was not delivered: to one subscriber (its queue was full, it expired, it was too large for the
     * client, an outbound interceptor dropped it), or at all (its publisher was not authorized, an inbound
     * interceptor dropped it), or a plugin gave it up after it had taken it on. Every drop is also counted in
     * {@code $SYS/broker/publish/messages/dropped/<reason>} ({@code .../dropped/plugin} for a plugin's).
     * When drops come faster than listeners take them, events beyond a bound are not delivered (and counted).
     */
    default void messageDropped(MessageDropped event) {
    }

    /** A client connected. */
    record ClientConnected(ClientInfo client, boolean sessionPresent) {
    }

    /**
     * A connection ended.
     *
     * @param reason   what ended it: {@code client disconnect}, {@code connection lost}, {@code session taken over},
     *                 {@code keep alive timeout}, {@code server shutting down}, or the protocol error found
     * @param graceful whether the client sent DISCONNECT (its will is then not published)
     */
    record ClientDisconnected(ClientInfo client, String reason, boolean graceful) {
    }

    /** @param grantedQos the QoS granted, or a failure reason code (0x80 and above) */
    record Subscribed(ClientInfo client, String filter, int grantedQos) {
    }

    record Unsubscribed(ClientInfo client, String filter) {
    }

    record SessionEnded(String clientId) {
    }

    /** @param expirySeconds how long the session outlives its connection (0xFFFFFFFF: never) */
    record SessionCreated(String clientId, long expirySeconds) {
    }

    /**
     * @param clientId the subscriber it was for, or the publisher it came from when it went nowhere
     * @param reason   {@code queue-full}, {@code too-large-for-queue}, {@code qos0-offline}, {@code expired},
     *                 {@code too-large-for-client}, {@code not-authorized}, {@code intercepted}, {@code store-full} or
     *                 {@code session-ended} (the session ended with the message still queued or in flight), or
     *                 {@code <plugin>/<reason>} for a message a plugin gave up ({@code PluginContext.messageDropped},
     *                 since 1.4); more may be added
     */
    record MessageDropped(String clientId, String topic, int qos, String reason) {
    }
}
