package io.gannet.spi.services;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Stable;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one client session, taken on the session's own thread.
 *
 * @param clientId          the client identifier
 * @param client            the connected client, when a connection is attached
 * @param expirySeconds     how long the session outlives its connection; {@link #NEVER_EXPIRES} for never
 * @param subscriptions     the session's subscriptions
 * @param queuedMessages    messages waiting to be sent
 * @param inflightMessages  QoS 1 and 2 messages sent and not yet acknowledged
 * @since 1.0
 */
@Stable
public record SessionInfo(String clientId, Optional<ClientInfo> client, long expirySeconds,
                          List<SubscriptionInfo> subscriptions, int queuedMessages, int inflightMessages) {
    /** The Session Expiry Interval that means the session never expires. */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    public SessionInfo {
        subscriptions = List.copyOf(subscriptions);
    }

    /** Whether a client is connected to this session now. */
    public boolean connected() {
        return client.isPresent();
    }

    /**
     * One subscription.
     *
     * @param filter the topic filter as the client gave it ({@code $share/group/filter} for a shared one)
     * @param qos    the granted maximum QoS
     */
    @Stable
    public record SubscriptionInfo(String filter, int qos) {
    }
}
