package io.gannet.broker;

import io.gannet.broker.auth.AllowAllAuthenticator;
import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.auth.Authorizer;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.connection.Admission;
import io.gannet.broker.connection.ClientPackets;
import io.gannet.broker.connection.ConnAckProperties;
import io.gannet.broker.connection.ConnectionLifecycle;
import io.gannet.broker.connection.MqttConnection;
import io.gannet.broker.events.BrokerEvents;
import io.gannet.broker.events.Drops;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.plugin.EventDispatcher;
import io.gannet.broker.plugin.PluginAuthenticator;
import io.gannet.broker.plugin.PluginAuthorizer;
import io.gannet.broker.plugin.PluginEnhancedAuthenticator;
import io.gannet.broker.plugin.PluginManager;
import io.gannet.broker.plugin.PluginServices;
import io.gannet.broker.plugin.PublishInterceptors;
import io.gannet.broker.publish.InboundInterceptor;
import io.gannet.broker.publish.PublishPipeline;
import io.gannet.broker.publish.SubscriptionReview;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.retain.RetainedTree;
import io.gannet.broker.cluster.ClusterNode;
import io.gannet.broker.cluster.ClusterProviders;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.LocalSubscriptions;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.session.OutboundInterceptor;
import io.gannet.broker.session.QueueBudget;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.SessionContext;
import io.gannet.broker.session.SessionRecovery;
import io.gannet.broker.session.SessionRegistry;
import io.gannet.broker.session.SessionsElsewhere;
import io.gannet.broker.store.SessionStore;
import io.gannet.broker.store.StoreProviders;
import io.gannet.broker.session.SubscriptionIndex;
import io.gannet.broker.store.Stores;
import io.gannet.broker.sys.SysTopics;
import io.gannet.broker.tls.TlsContexts;
import io.gannet.broker.transport.MqttChannelInitializer;
import io.gannet.broker.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker assembled from its parts, in plain code you can read top to bottom. {@link #start()} binds the
 * listeners; {@link #close()} stops accepting, disconnects every client and stops the event loops.
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);
    /** Netty's default receive-buffer sizing, shared: stateless but for its limits. */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

    /**
     * What a broker is assembled around and takes from outside: where its state is kept, and how messages reach
     * subscribers beyond this broker's own sessions.
     *
     * @param stores  where sessions and retained messages are kept; closed with the broker
     * @param cluster the other nodes, whose subscribers the router reaches too; {@link ClusterNode#NONE} alone
     */
    public record Ports(Stores stores, ClusterNode cluster) {
        /** Nothing survives a restart; one broker on its own. */
        public static Ports inMemory() {
            return new Ports(Stores.inMemory(), ClusterNode.NONE);
        }

        /**
         * The stores of the module on the class path that the configuration enables, or the in-memory ones; the
         * cluster node when the configuration enables one.
         */
        public static Ports fromClassPath(GannetConfig config, Path home, Clock clock) {
            ClassLoader loader = Broker.class.getClassLoader();
            Stores stores = StoreProviders.open(config, home, clock, loader);
            try {
                return new Ports(stores, ClusterProviders.open(config, home, clock, loader));
            } catch (RuntimeException e) {
                stores.close();
                throw e;
            }
        }
    }

    private final GannetConfig config;
    private final Authenticator authenticator;
    private final EnhancedAuthenticator enhancedAuthenticator;
    private final Clock clock;
    private final Ports ports;
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final SessionRegistry sessions = new SessionRegistry();
    private final LocalSubscriptions subscriptions = new LocalSubscriptions();
    private final RetainedTree retained;
    private final Map<String, InetSocketAddress> boundAddresses = new LinkedHashMap<>();
    private final List<Channel> serverChannels = new ArrayList<>();
    private Transport transport;
    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private ChannelGroup clients;
    private SysTopics sys;
    private final List<io.gannet.spi.Plugin> embeddedPlugins = new ArrayList<>();
    private PluginManager plugins;
    private volatile boolean closed;

    public Broker(GannetConfig config) {
        this(config, new AllowAllAuthenticator());
    }

    public Broker(GannetConfig config, Authenticator authenticator) {
        this(config, authenticator, Clock.systemUTC());
    }

    public Broker(GannetConfig config, Authenticator authenticator, Clock clock) {
        this(config, authenticator, EnhancedAuthenticator.NONE, clock);
    }

    public Broker(GannetConfig config, Authenticator authenticator, EnhancedAuthenticator enhancedAuthenticator,
                  Clock clock) {
        this(config, authenticator, enhancedAuthenticator, clock, Ports.inMemory());
    }

    /**
     * @param enhancedAuthenticator MQTT 5.0 enhanced authentication (AUTH packets); {@link EnhancedAuthenticator#NONE}
     *                              refuses every method
     * @param clock                 the time that message expiry is measured by; tests pass one they can move
     * @param ports                 the stores and router the broker is assembled around
     */
    public Broker(GannetConfig config, Authenticator authenticator, EnhancedAuthenticator enhancedAuthenticator,
                  Clock clock, Ports ports) {
        this.config = config;
        this.authenticator = authenticator;
        this.enhancedAuthenticator = enhancedAuthenticator;
        this.clock = clock;
        this.ports = ports;
        this.retained = new RetainedTree(clock, ports.cluster().retainedJournal(ports.stores().retained()),
                config.mqtt().maxRetainedMessages(), config.mqtt().maxRetainedBytes(),
                () -> metrics.refused(BrokerMetrics.Refusal.RETAINED_LIMITS));
        ports.cluster().retainedStore(retained);
    }

    /** Adds a plugin instance, as an embedding application or a test does; call before {@link #start()}. */
    public Broker embed(io.gannet.spi.Plugin plugin) {
        if (workers != null) {
            throw new IllegalStateException("plugins are added before start()");
        }
        embeddedPlugins.add(plugin);
        return this;
    }

    /**
     * Starts the plugins, rebuilds what the stores kept, then binds every listener; throws if one cannot be bound
     * (the broker is then closed again).
     */
    public Broker start() throws InterruptedException {
        Path home = Path.of(System.getProperty("gannet.home", ".")).toAbsolutePath().normalize();
        AtomicLong authorizationEpoch = new AtomicLong();
        clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        SubscriptionIndex subscriptionIndex = ports.cluster().subscriptions(subscriptions);
        MessageRouter router = ports.cluster().router(new LocalRouter(subscriptions, alloc));
        PublishPipeline publishing = new PublishPipeline(retained, router);
        // Plugins may publish while they start; their hooks are installed once they have.
        PluginServices pluginServices = PluginServices.of(publishing, retained, sessions, clients, clock, metrics,
                new SubscriptionReview(sessions, publishing, metrics));
        plugins = new PluginManager(config.plugins(), home, authorizationEpoch, pluginServices);
        plugins.start(embeddedPlugins);
        long hookTimeout = config.plugins().hookTimeoutMillis();
        Authenticator effectiveAuthenticator = plugins.authenticators().isEmpty() ? authenticator
                : new PluginAuthenticator(plugins.authenticators(), hookTimeout);
        EnhancedAuthenticator effectiveEnhanced = plugins.enhancedAuthenticators().isEmpty() ? enhancedAuthenticator
                : new PluginEnhancedAuthenticator(plugins.enhancedAuthenticators(), hookTimeout);
        TlsContexts tls = checkedTls();
        Authorizer authorizer = plugins.authorizers().isEmpty() ? Authorizer.ALLOW_ALL
                : new PluginAuthorizer(plugins.authorizers(), hookTimeout);
        PublishInterceptors interceptors = plugins.inboundInterceptors().isEmpty()
                && plugins.outboundInterceptors().isEmpty() ? null
                : new PublishInterceptors(plugins.inboundInterceptors(), plugins.outboundInterceptors(), hookTimeout,
                        config.plugins().proceedOnInterceptorFailure(), clock);
        publishing.install(new PublishPipeline.Hooks(authorizer,
                interceptors == null ? InboundInterceptor.NONE : interceptors));
        BrokerEvents events = plugins.eventListeners().isEmpty() ? BrokerEvents.NONE
                : new EventDispatcher(plugins.eventListeners(), plugins.scheduler());
        Drops drops = new Drops(metrics, events);
        pluginServices.drops().bind(drops);
        transport = Transport.select(config.network().transport());
        int threads = config.network().ioThreads() > 0 ? config.network().ioThreads()
                : Runtime.getRuntime().availableProcessors();
        acceptors = transport.newGroup(1, "gannet-accept");
        workers = transport.newGroup(threads, "gannet-io");
        QueueBudget queueBudget = new QueueBudget(config.sessions().queueBudgetBytes());
        SessionStore sessionStore = ports.cluster().sessions(ports.stores().sessions());
        sessionStore.onTakenOver(new SessionsElsewhere(sessions));
        SessionContext sessionContext = new SessionContext(config.sessions(), config.mqtt().inflightWindow(), clock,
                sessions, sessionStore, subscriptionIndex, publishing,
                interceptors == null ? OutboundInterceptor.NONE : interceptors, events, drops, queueBudget);
        sessionStore.onAdopted(adopted -> {
            int hosted = SessionRecovery.recover(adopted, workers::next, sessionContext);
            long clean = adopted.stream().filter(s -> s.expirySeconds() == 0).count();
            log.info("Took {} sessions of a cluster node that is down: {} persistent ones to host until their clients "
                    + "return, {} clean ones only to publish their wills", hosted, hosted - clean, clean);
        });
        try {
            int retainedBack = retained.recover();
            // After this node's retained messages: what the cluster's log holds is applied over them. Before the
            // sessions: a cluster that keeps them recovers them from the other nodes once it has joined.
            ports.cluster().start(workers, transport);
            recoverSessions(sessionStore, sessionContext, retainedBack);
            ports.cluster().recovered();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        Admission admission = new Admission(config.mqtt(), effectiveAuthenticator, effectiveEnhanced, sessions,
                sessionContext, new ConnAckProperties(config.mqtt()), clock, publishing,
                // Only enhanced authentication installed: a client that names no method must not walk in.
                effectiveAuthenticator instanceof AllowAllAuthenticator
                        && effectiveEnhanced != EnhancedAuthenticator.NONE);
        ClientPackets packets = new ClientPackets(config.mqtt(), config.sessions(), publishing, retained, drops,
                metrics, events, authorizationEpoch, config.plugins().acknowledgementTimeoutSeconds(), clock);
        ConnectionLifecycle lifecycle = new ConnectionLifecycle(clients, metrics, events,
                config.mqtt().connectTimeoutSeconds(), publishing);
        sys = new SysTopics(metrics, sessions, subscriptions, retained, publishing, visitor -> {
            // What an operator (and the soak test) watches for growth: the JVM heap, Netty's pooled memory, and the
            // bytes queued for sessions against their budget.
            visitor.accept("heap/current", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
            visitor.accept("netty/direct-memory", alloc.metric().usedDirectMemory());
            visitor.accept("netty/heap-memory", alloc.metric().usedHeapMemory());
            visitor.accept("queues/bytes", queueBudget.used());
            pluginServices.metrics().forEach(visitor);
            ports.stores().metrics().accept(visitor);
            ports.cluster().metrics((name, value) -> visitor.accept("cluster/" + name, value));
        });
        sys.start(workers.next(), config.sysIntervalSeconds());
        int high = config.network().writeBufferHighWaterMark();
        try {
            for (ListenerConfig listener : config.listeners()) {
                ServerBootstrap b = new ServerBootstrap()
                        .group(acceptors, workers)
                        .channel(transport.serverChannelClass())
                        .option(ChannelOption.SO_BACKLOG, config.network().soBacklog())
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .handler(MqttChannelInitializer.admissionControl(listener, metrics))
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.ALLOCATOR, alloc)
                        // One for all connections (each still gets its own handle), not an instance each.
                        .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                        .childHandler(new MqttChannelInitializer(admission, packets, lifecycle, listener, tls));
                Channel ch = b.bind(listener.bind(), listener.port()).sync().channel();
                serverChannels.add(ch);
                InetSocketAddress address = (InetSocketAddress) ch.localAddress();
                boundAddresses.put(listener.name(), address);
                log.info("Listener '{}' ({}) on {}:{}", listener.name(), listener.protocol(),
                        address.getHostString(), address.getPort());
            }
        } catch (RuntimeException | InterruptedException e) {
            close();
            throw e;
        }
        log.info("Gannet started: {} transport, {} I/O threads", transport.name(), threads);
        return this;
    }

    /**
     * Rebuilds the persistent sessions the store kept (this node's own, or the cluster's), before any listener
     * opens, so that no client sees the broker half recovered.
     */
    private void recoverSessions(SessionStore store, SessionContext sessionContext, int retainedBack) {
        int sessionsBack = SessionRecovery.recover(store.recoverSessions(), workers::next, sessionContext);
        if (retainedBack > 0 || sessionsBack > 0) {
            log.info("Recovered {} persistent sessions and {} retained messages{}", sessionsBack, retainedBack,
                    store == ports.stores().sessions() ? " from the " + ports.stores().name() + " store"
                            : " (the sessions from the cluster)");
        }
    }

    /** The TLS contexts, checked: every mqtts and wss listener must have working certificates. */
    private TlsContexts checkedTls() {
        TlsContexts tls = new TlsContexts(plugins.tlsProviders());
        for (ListenerConfig l : config.listeners()) {
            if (l.protocol().equals("mqtts") || l.protocol().equals("wss")) {
                try {
                    if (tls.contextFor(l.name()) == null) {
                        plugins.close();
                        throw new ConfigException("listener '" + l.name() + "' uses protocol " + l.protocol()
                                + ", but no TLS plugin provides its certificates (is plugins/tls enabled?)");
                    }
                } catch (javax.net.ssl.SSLException e) {
                    plugins.close();
                    throw new ConfigException("listener '" + l.name() + "': the TLS settings do not work: "
                            + e.getMessage(), e);
                }
            }
        }
        return tls;
    }

    /** The address a listener is bound to, with the real port when it was configured as 0. */
    public InetSocketAddress address(String listenerName) {
        InetSocketAddress a = boundAddresses.get(listenerName);
        if (a == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return a;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The live sessions. */
    public SessionRegistry sessions() {
        return sessions;
    }

    public RetainedStore retained() {
        return retained;
    }

    /** Every subscription, as routing matches them. */
    public LocalSubscriptions subscriptions() {
        return subscriptions;
    }

    /** The plugins: which started, which were left out and why. */
    public PluginManager plugins() {
        return plugins;
    }

    /** The $SYS publisher, for reading the current statistics. */
    public SysTopics sys() {
        return sys;
    }

    public GannetConfig config() {
        return config;
    }

    /**
     * How this broker asks whoever runs it to stop it, on its own decision: when the cluster removed this node. The
     * request must only ask (as {@code Main} counts down the latch its {@code main} waits on), never stop the broker
     * on the caller's thread.
     */
    public void onStopRequested(Runnable request) {
        ports.cluster().onRemoved(request);
    }

    /**
     * Stops the broker within {@code network.shutdown-timeout-seconds}: stops accepting, tells 5.0 clients the
     * server is shutting down (0x8B), closes every connection and stops the event loops.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sys != null) {
            sys.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.network().shutdownTimeoutSeconds());
        for (Channel ch : serverChannels) {
            ch.close().awaitUninterruptibly(remainingMillis(deadline));
        }
        if (clients != null) {
            for (Channel ch : clients) {
                ch.eventLoop().execute(() -> {
                    MqttConnection c = ch.pipeline().get(MqttConnection.class);
                    if (c != null) {
                        c.shutdown();
                    } else {
                        ch.close();
                    }
                });
            }
            clients.newCloseFuture().awaitUninterruptibly(remainingMillis(deadline) / 2);
            clients.close().awaitUninterruptibly(remainingMillis(deadline) / 2);
        }
        try {
            ports.cluster().close(); // before the event loops stop: its links live on them
        } catch (RuntimeException e) {
            log.warn("Leaving the cluster failed: {}", e.toString());
        }
        if (workers != null) {
            workers.shutdownGracefully(0, remainingMillis(deadline), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(remainingMillis(deadline));
        }
        if (acceptors != null) {
            acceptors.shutdownGracefully(0, remainingMillis(deadline), TimeUnit.MILLISECONDS)
                    .awaitUninterruptibly(remainingMillis(deadline));
        }
        if (plugins != null) {
            plugins.close();
        }
        try {
            ports.stores().close(); // after the event loops: no journal call comes later
        } catch (RuntimeException e) {
            log.warn("Closing the {} store failed: {}", ports.stores().name(), e.toString());
        }
        log.info("Gannet stopped");
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
