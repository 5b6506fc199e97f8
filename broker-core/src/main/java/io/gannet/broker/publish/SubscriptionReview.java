package io.gannet.broker.publish;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.SessionRegistry;
import io.gannet.broker.session.Subscription;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a plugin says its rules changed ({@code PluginContext.invalidateAuthorizations}, as the auth plugin does
 * when it reloads its files): every session's subscriptions are asked about again, as their client, and those no
 * longer allowed are removed; a connected client that lost one is disconnected (0x98 Administrative action), so
 * that it learns of it when it subscribes again. Access once granted does not outlive the rule that granted it.
 *
 * <p>A session recovered from a store after a restart, whose client has not come back yet, is reviewed only as far
 * as the store remembers its client (user name and client id, not its listener): rules about listeners cannot be
 * judged for it, so it is left as it is until its client connects again.
 */
public final class SubscriptionReview implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionReview.class);

    private final SessionRegistry sessions;
    private final PublishPipeline publishing;
    private final BrokerMetrics metrics;

    public SubscriptionReview(SessionRegistry sessions, PublishPipeline publishing, BrokerMetrics metrics) {
        this.sessions = sessions;
        this.publishing = publishing;
        this.metrics = metrics;
    }

    /** Reviews every session, each on its own event loop; returns at once. */
    @Override
    public void run() {
        if (!publishing.authorizes()) {
            return;
        }
        sessions.forEach(s -> s.execute(() -> review(s)));
    }

    private void review(Session s) {
        ConnectAttempt client = s.connectedClient() != null ? s.connectedClient() : s.lastClient();
        if (client == null || client.listenerName() == null) {
            return;
        }
        for (Subscription sub : List.copyOf(s.subscriptions())) {
            publishing.mayRead(client, sub.key()).whenComplete((allowed, error) -> s.execute(() -> {
                if (error == null && Boolean.TRUE.equals(allowed)) {
                    return;
                }
                if (!s.unsubscribe(sub.key())) {
                    return; // gone meanwhile
                }
                metrics.refused(BrokerMetrics.Refusal.SUBSCRIPTION_REVOKED);
                log.info("Client {}: subscription {} removed, the rules no longer allow it", s.clientId(),
                        sub.key());
                if (s.connectedClient() != null) {
                    s.disconnectClient("access to " + sub.key() + " was revoked", false);
                }
            }));
        }
    }
}
