package io.gannet.broker.events;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.metrics.BrokerMetrics;

/**
 * What happens to clients, sessions and messages, as the core reports it to whoever listens (the plugins' event
 * listeners, through the plugin adapter). Called on event loops: an implementation hands the work elsewhere and
 * returns at once. {@link #active()} lets a caller skip building an event's arguments when no one listens.
 */
public interface BrokerEvents {
    /** Raises nothing: for a broker without listeners. */
    BrokerEvents NONE = new BrokerEvents() {
        @Override
        public boolean active() {
            return false;
        }
    };

    /** Whether anyone listens; when false, every other method does nothing. */
    boolean active();

    default void clientConnected(ConnectAttempt client, boolean sessionPresent) {
    }

    /** @param graceful whether the client sent DISCONNECT */
    default void clientDisconnected(ConnectAttempt client, String reason, boolean graceful) {
    }

    default void subscribed(ConnectAttempt client, String filter, int grantedQos) {
    }

    default void unsubscribed(ConnectAttempt client, String filter) {
    }

    default void sessionCreated(String clientId, long expirySeconds) {
    }

    default void sessionEnded(String clientId) {
    }

    /**
     * @param clientId the client the message was for (or, refused on the way in, from)
     * @param reason   a {@link BrokerMetrics.DropReason#metricName()}, or {@code <plugin>/<reason>} for a plugin's
     */
    default void messageDropped(String clientId, String topic, int qos, String reason) {
    }
}
