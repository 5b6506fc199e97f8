package io.gannet.broker.plugin;

import io.gannet.broker.publish.PublishPipeline;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.session.SessionRegistry;
import io.gannet.spi.services.ClientService;
import io.gannet.spi.services.MessagePublisher;
import io.gannet.spi.services.RetainedMessages;
import io.netty.channel.group.ChannelGroup;
import java.time.Clock;

/** What the broker lends every plugin: the services of the SPI, and the registry of plugins' metrics. */
public record PluginServices(MessagePublisher publisher, ClientService clients, RetainedMessages retained,
                             PluginMetricsRegistry metrics, Runnable rulesChanged) {
    /** @param rulesChanged run when a plugin invalidates authorizations: reviews what was granted before */
    public static PluginServices of(PublishPipeline publishing, RetainedStore retained, SessionRegistry sessions,
                                    ChannelGroup channels, Clock clock, Runnable rulesChanged) {
        return new PluginServices(new PluginPublisher(publishing, clock), new PluginClients(sessions, channels),
                new PluginRetained(retained, clock), new PluginMetricsRegistry(), rulesChanged);
    }
}
