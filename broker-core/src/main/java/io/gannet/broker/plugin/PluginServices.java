package io.gannet.broker.plugin;

import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.session.SessionStore;
import io.gannet.spi.services.ClientService;
import io.gannet.spi.services.MessagePublisher;
import io.gannet.spi.services.RetainedMessages;
import io.netty.channel.group.ChannelGroup;
import java.time.Clock;

/** What the broker lends every plugin: the services of the SPI, and the registry of plugins' metrics. */
public record PluginServices(MessagePublisher publisher, ClientService clients, RetainedMessages retained,
                             PluginMetricsRegistry metrics) {
    public static PluginServices of(MessageRouter router, RetainedStore retained, SessionStore sessions,
                                    ChannelGroup channels, Clock clock) {
        return new PluginServices(new PluginPublisher(router, retained, clock), new PluginClients(sessions, channels),
                new PluginRetained(retained, clock), new PluginMetricsRegistry());
    }
}
