package io.gannet.broker.store;

import io.gannet.broker.message.Message;
import java.util.List;

/**
 * A persistent session as a store hands it back at start: everything the core needs to rebuild it, in plain values.
 * Lists are in order: subscriptions as made, queued messages in queue order, in-flight messages in send order.
 *
 * @param expirySeconds        how long the session outlives its connection ({@code 0xFFFFFFFF}: forever)
 * @param disconnectedAtMillis when its client left, by the broker's clock; 0 if a client was connected when the
 *                             store last heard of it (the restart then counts as the connection's loss)
 * @param will                 the will of its client's last connection, or {@code null}: published after
 *                             {@code willDelaySeconds} from the connection's loss unless a client resumes the
 *                             session first
 * @param inboundQos2          packet ids of QoS 2 messages received from the client and not yet released
 * @param nextSeq              the number the next message for this session gets
 */
public record SessionSnapshot(String clientId, SessionOwner owner, long expirySeconds, long disconnectedAtMillis,
                              Message will, long willDelaySeconds, List<SubscriptionRecord> subscriptions,
                              List<StoredMessage> queued, List<InflightMessage> inflight, int[] inboundQos2,
                              long nextSeq) {
    public SessionSnapshot {
        subscriptions = List.copyOf(subscriptions);
        queued = List.copyOf(queued);
        inflight = List.copyOf(inflight);
        inboundQos2 = inboundQos2.clone();
    }
}
