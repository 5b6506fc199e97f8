package io.gannet.broker.connection;

import io.gannet.broker.events.BrokerEvents;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.session.WillPublisher;
import io.netty.channel.group.ChannelGroup;

/**
 * What every connection reports as it opens and closes, assembled once by the broker.
 *
 * @param clients               every open client channel, so that shutdown can reach them all
 * @param connectTimeoutSeconds how long a new connection has to send CONNECT
 * @param wills                 publishes the will of a connection that has no session to wait with it
 */
public record ConnectionLifecycle(ChannelGroup clients, BrokerMetrics metrics, BrokerEvents events,
                                  int connectTimeoutSeconds, WillPublisher wills) {
}
