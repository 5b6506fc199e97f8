package io.gannet.broker.session;

import io.gannet.broker.config.SessionConfig;
import io.gannet.broker.events.BrokerEvents;
import io.gannet.broker.events.Drops;
import io.gannet.broker.store.SessionStore;
import java.time.Clock;

/**
 * The collaborators every session shares, assembled once by the broker.
 *
 * @param inflightWindow how many QoS 1 and 2 deliveries a session keeps unacknowledged at most
 * @param clock          the broker's clock, for message expiry and the store's timestamps
 * @param registry       the live sessions, which a session leaves when it ends
 * @param store          where persistent sessions are journaled
 * @param index          where subscriptions are indexed for routing
 * @param wills          publishes a will whose delay ran out or whose session ended
 * @param interceptors   the plugins' outbound publish interceptors, run before each send
 * @param drops          where undelivered messages are counted and reported
 * @param budget         the memory all session queues share
 */
public record SessionContext(SessionConfig config, int inflightWindow, Clock clock, SessionRegistry registry,
                             SessionStore store, SubscriptionIndex index, WillPublisher wills,
                             OutboundInterceptor interceptors, BrokerEvents events, Drops drops,
                             QueueBudget budget) {
}
