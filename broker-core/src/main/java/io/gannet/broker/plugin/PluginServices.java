package io.gannet.broker.plugin;

import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.publish.PublishPipeline;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.session.SessionRegistry;
import io.gannet.spi.services.ClientService;
import io.gannet.spi.services.MessagePublisher;
import io.gannet.spi.services.RetainedMessages;
import io.netty.channel.group.ChannelGroup;
import java.time.Clock;

/**
 * What the broker lends every plugin: the services of the SPI, the registry of plugins' metrics, and where they
 * report the messages they give up.
 */
public record PluginServices(MessagePublisher publisher, ClientService clients, RetainedMessages retained,
                             PluginMetricsRegistry metrics, PluginDrops drops, Runnable rulesChanged) {
    /** @param rulesChanged run when a plugin invalidates authorizations: reviews what was granted before */
    public static PluginServices of(PublishPipeline publishing, RetainedStore retained, SessionRegistry sessions,
                                    ChannelGroup channels, Clock clock, BrokerMetrics metrics,
                                    Runnable rulesChanged) {
        return new PluginServices(new PluginPublisher(publishing, clock), new PluginClients(sessions, channels),
                new PluginRetained(retained, clock), new PluginMetricsRegistry(), new PluginDrops(metrics),
                rulesChanged);
    }
}
