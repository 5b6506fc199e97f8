package io.gannet.broker.connection;

import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.auth.Authorizer;
import java.util.concurrent.atomic.AtomicLong;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.plugin.EventDispatcher;
import io.gannet.broker.plugin.PublishInterceptors;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.SessionStore;
import io.netty.channel.group.ChannelGroup;

/**
 * The shared parts every connection works with, assembled once by the broker and handed to each connection.
 *
 * @param authorizationEpoch moves on when plugins invalidate cached authorization decisions
 * @param interceptors       the plugins' publish interceptors
 * @param clients            every open client channel, so that shutdown can reach them all
 * @param connAckProperties  what a successful 5.0 CONNACK announces, built once from the configuration
 */
public record BrokerServices(GannetConfig config, MessageRouter router, SessionStore sessions,
                             Session.SessionContext sessionContext, RetainedStore retained,
                             Authenticator authenticator, EnhancedAuthenticator enhancedAuthenticator,
                             Authorizer authorizer, AtomicLong authorizationEpoch, EventDispatcher events,
                             PublishInterceptors interceptors,
                             BrokerMetrics metrics, ChannelGroup clients, ConnAckProperties connAckProperties) {
}
