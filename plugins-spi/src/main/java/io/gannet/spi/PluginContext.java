package io.gannet.spi;

import io.gannet.spi.auth.ConnectAuthenticator;
import io.gannet.spi.auth.TopicAuthorizer;
import io.gannet.spi.auth.EnhancedAuthenticator;
import io.gannet.spi.events.BrokerEventListener;
import io.gannet.spi.metrics.PluginMetrics;
import io.gannet.spi.publish.InboundPublishInterceptor;
import io.gannet.spi.publish.OutboundPublishInterceptor;
import io.gannet.spi.services.ClientService;
import io.gannet.spi.services.MessagePublisher;
import io.gannet.spi.services.RetainedMessages;
import io.gannet.spi.tls.TlsProvider;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;

/**
 * What the broker gives a plugin in {@link Plugin#start}: its configuration, a logger, a scheduler, metrics, the
 * broker's services (publish, clients, retained messages), and the registration of hooks. Hooks must be registered
 * during {@link Plugin#start}: the broker assembles them once, before it opens its listeners. One context per plugin; safe to use from any thread.
 *
 * @since 1.0
 */
@Evolving
@DoNotImplement
public interface PluginContext {
    /** The plugin's name: its jar or folder name under {@code plugins/}, or its class name on the class path. */
    String name();

    /** The plugin's own section of the broker configuration, {@code plugins.<name>} in {@code gannet.yaml}. */
    PluginConfig config();

    /** A logger named after the plugin, writing to the broker's log. */
    Logger logger();

    /** The broker's installation directory, against which relative paths in configuration resolve. */
    Path home();

    /**
     * A scheduler for the plugin's own background work, run on threads that are not network event loops. Tasks
     * still running at shutdown are cancelled after {@link Plugin#stop}.
     */
    ScheduledExecutorService scheduler();

    /**
     * Registers an authenticator for CONNECT. Several plugins may register one; they are asked in plugin
     * priority order until one decides (see {@link ConnectAuthenticator}).
     */
    void registerAuthenticator(ConnectAuthenticator authenticator);

    /**
     * Registers an authorizer for PUBLISH and SUBSCRIBE. Several plugins may register one; they are asked in plugin
     * priority order until one decides (see {@link TopicAuthorizer}).
     */
    void registerAuthorizer(TopicAuthorizer authorizer);

    /**
     * Forgets every cached authorization decision, on every connection, so that the next PUBLISH or SUBSCRIBE asks
     * again; call it when the rules changed (an ACL file was reloaded). The broker then also asks again about every
     * session's subscriptions: those no longer allowed are removed, and a connected client that lost one is
     * disconnected (5.0: 0x98 Administrative action).
     */
    void invalidateAuthorizations();

    /**
     * Registers the TLS settings source for {@code mqtts} listeners. The first plugin (by priority) that serves a
     * listener provides its TLS.
     */
    void registerTlsProvider(TlsProvider provider);

    /** Registers a listener for broker events, delivered on this plugin's scheduler (see the listener's doc). */
    void registerEventListener(BrokerEventListener listener);

    /**
     * Registers an MQTT 5.0 enhanced authenticator (AUTH packet exchange) for the methods it lists; for a method
     * several plugins list, the first by priority serves it.
     */
    void registerEnhancedAuthenticator(EnhancedAuthenticator authenticator);

    /** Registers an interceptor of the messages clients publish (see {@link InboundPublishInterceptor}). */
    void registerInboundInterceptor(InboundPublishInterceptor interceptor);

    /** Registers an interceptor of each delivery to a subscriber (see {@link OutboundPublishInterceptor}). */
    void registerOutboundInterceptor(OutboundPublishInterceptor interceptor);

    /** Publishes messages into the broker. Usable from {@link Plugin#start} on. */
    MessagePublisher publisher();

    /** Finds connected clients and sessions, and disconnects clients. */
    ClientService clients();

    /** Reads and writes retained messages. */
    RetainedMessages retained();

    /** This plugin's counters and gauges, published under {@code $SYS/broker/plugins/<name>/}. */
    PluginMetrics metrics();

    /**
     * Reports a message this plugin took on and then gave up, such as a bridge's record dropped from its full buffer,
     * as the broker reports its own: counted in {@code $SYS/broker/publish/messages/dropped/plugin}, and raised as a
     * {@link BrokerEventListener.MessageDropped} event whose reason is {@code <plugin name>/<reason>}. Safe from any
     * thread; it never blocks. (A message an inbound interceptor drops is reported by the broker already.)
     *
     * @param clientId the client the message came from, or was for
     * @param topic    the message's topic
     * @param qos      the message's QoS
     * @param reason   why, in lower case with words joined by {@code -}, for example {@code buffer-full}
     * @since 1.4
     */
    void messageDropped(String clientId, String topic, int qos, String reason);
}
