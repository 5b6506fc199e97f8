package io.gannet.broker.plugin;

import io.gannet.spi.PluginConfig;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.ConnectAuthenticator;
import io.gannet.spi.auth.TopicAuthorizer;
import io.gannet.spi.auth.EnhancedAuthenticator;
import io.gannet.spi.metrics.PluginMetrics;
import io.gannet.spi.publish.InboundPublishInterceptor;
import io.gannet.spi.publish.OutboundPublishInterceptor;
import io.gannet.spi.services.ClientService;
import io.gannet.spi.services.MessagePublisher;
import io.gannet.spi.services.RetainedMessages;
import io.gannet.spi.tls.TlsProvider;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The context of one plugin: what it registered, and what the broker lends it. */
final class DefaultPluginContext implements PluginContext {
    private final String name;
    private final PluginConfig config;
    private final Path home;
    private final ScheduledExecutorService scheduler;
    private final Logger logger;
    final List<ConnectAuthenticator> authenticators = new CopyOnWriteArrayList<>();
    final List<TopicAuthorizer> authorizers = new CopyOnWriteArrayList<>();
    final List<TlsProvider> tlsProviders = new CopyOnWriteArrayList<>();
    final List<io.gannet.spi.events.BrokerEventListener> eventListeners = new CopyOnWriteArrayList<>();
    final List<InboundPublishInterceptor> inboundInterceptors = new CopyOnWriteArrayList<>();
    final List<OutboundPublishInterceptor> outboundInterceptors = new CopyOnWriteArrayList<>();
    final List<EnhancedAuthenticator> enhancedAuthenticators = new CopyOnWriteArrayList<>();
    private final AtomicLong authorizationEpoch;
    private final PluginServices services;
    private final PluginMetrics metrics;

    DefaultPluginContext(String name, PluginConfig config, Path home, ScheduledExecutorService scheduler,
                         AtomicLong authorizationEpoch, PluginServices services) {
        this.authorizationEpoch = authorizationEpoch;
        this.services = services;
        this.metrics = services.metrics().forPlugin(name);
        this.name = name;
        this.config = config;
        this.home = home;
        this.scheduler = scheduler;
        this.logger = LoggerFactory.getLogger("gannet.plugin." + name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PluginConfig config() {
        return config;
    }

    @Override
    public Logger logger() {
        return logger;
    }

    @Override
    public Path home() {
        return home;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public void registerAuthenticator(ConnectAuthenticator authenticator) {
        authenticators.add(authenticator);
    }

    @Override
    public void registerAuthorizer(TopicAuthorizer authorizer) {
        authorizers.add(authorizer);
    }

    @Override
    public void registerTlsProvider(TlsProvider provider) {
        tlsProviders.add(provider);
    }

    @Override
    public void registerEventListener(io.gannet.spi.events.BrokerEventListener listener) {
        eventListeners.add(listener);
    }

    @Override
    public void registerEnhancedAuthenticator(EnhancedAuthenticator authenticator) {
        enhancedAuthenticators.add(authenticator);
    }

    @Override
    public void registerInboundInterceptor(InboundPublishInterceptor interceptor) {
        inboundInterceptors.add(interceptor);
    }

    @Override
    public void registerOutboundInterceptor(OutboundPublishInterceptor interceptor) {
        outboundInterceptors.add(interceptor);
    }

    @Override
    public MessagePublisher publisher() {
        return services.publisher();
    }

    @Override
    public ClientService clients() {
        return services.clients();
    }

    @Override
    public RetainedMessages retained() {
        return services.retained();
    }

    @Override
    public PluginMetrics metrics() {
        return metrics;
    }

    @Override
    public void invalidateAuthorizations() {
        authorizationEpoch.incrementAndGet();
        services.rulesChanged().run();
    }

    @Override
    public void messageDropped(String clientId, String topic, int qos, String reason) {
        services.drops().dropped(name, reason == null || reason.isBlank() ? "unspecified" : reason, clientId, topic,
                qos);
    }
}
