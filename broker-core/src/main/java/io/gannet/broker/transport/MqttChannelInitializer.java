package io.gannet.broker.transport;

import io.gannet.broker.codec.MqttDecoder;
import io.gannet.broker.codec.MqttEncoder;
import io.gannet.broker.connection.BrokerServices;
import io.gannet.broker.connection.MqttConnection;
import io.gannet.broker.config.ListenerConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.gannet.broker.tls.TlsContexts;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import javax.net.ssl.SSLException;

/**
 * Builds the pipeline of every MQTT connection, in one place. Inbound bytes run top to bottom, outbound packets
 * bottom to top:
 * <pre>
 *   [keepalive]  IdleStateHandler, added by the connection once CONNECT gives the interval
 *   [tls]        SslHandler, on mqtts listeners; first, so everything after it sees plain bytes
 *   flush        merges the flushes of one event loop tick into one syscall
 *   decoder      bytes to packets; enforces the maximum packet size before buffering
 *   encoder      packets to bytes; passes already-encoded PUBLISH buffers through
 *   connection   the MQTT state machine of this client
 * </pre>
 */
public final class MqttChannelInitializer extends ChannelInitializer<Channel> {
    public static final String TLS = "tls";
    public static final String FLUSH = "flush";
    public static final String DECODER = "decoder";
    public static final String ENCODER = "encoder";
    public static final String CONNECTION = "connection";

    /** Flush at once after this many pending flushes, even while a read is in progress. */
    private static final int EXPLICIT_FLUSH_AFTER = 64;

    private final BrokerServices services;
    private final ListenerConfig listener;
    private final TlsContexts tls;

    /** @param tls the TLS contexts, for mqtts listeners; may be {@code null} for plain ones */
    public MqttChannelInitializer(BrokerServices services, ListenerConfig listener, TlsContexts tls) {
        this.services = services;
        this.listener = listener;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) throws SSLException {
        MqttEncoder encoder = new MqttEncoder();
        ChannelPipeline p = ch.pipeline();
        if ("mqtts".equals(listener.protocol())) {
            SslContext context = tls == null ? null : tls.contextFor(listener.name());
            if (context == null) {
                ch.close(); // checked at start-up; a provider that stopped serving the listener refuses clients
                return;
            }
            p.addLast(TLS, context.newHandler(ch.alloc()));
        }
        // Must be first outbound so it sees every flush; consolidates even when this channel is not reading,
        // which is the case for subscribers written to by another connection's publish.
        p.addLast(FLUSH, new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
        p.addLast(DECODER, new MqttDecoder(services.config().mqtt().maxPacketSize()));
        p.addLast(ENCODER, encoder);
        p.addLast(CONNECTION, new MqttConnection(services, listener.name(), encoder));
    }
}
