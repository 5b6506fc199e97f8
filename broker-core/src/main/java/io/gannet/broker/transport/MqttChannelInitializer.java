package io.gannet.broker.transport;

import io.gannet.broker.codec.MqttDecoder;
import io.gannet.broker.connection.Admission;
import io.gannet.broker.connection.ClientPackets;
import io.gannet.broker.connection.ConnectionLifecycle;
import io.gannet.broker.connection.MqttConnection;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.gannet.broker.tls.TlsContexts;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.util.concurrent.TimeUnit;
import io.netty.handler.ssl.SslContext;
import javax.net.ssl.SSLException;

/**
 * Builds the pipeline of every MQTT connection, in one place. Inbound bytes run top to bottom, outbound packets
 * bottom to top:
 * <pre>
 *   [tls]        SslHandler, on mqtts and wss listeners; first, so everything after it sees plain bytes
 *   [http, ws-origin, ws-handshake, ws-frames]   on ws and wss listeners: the HTTP upgrade (refused to web pages
 *                of origins not allowed), then MQTT bytes in binary frames
 *   decoder      bytes to packets; enforces the maximum packet size before buffering
 *   connection   the MQTT state machine of this client; encodes the packets it writes itself, in the
 *                client's version (a handler context less per connection), and sends PUBLISH buffers as made;
 *                it keeps the keep-alive timer too, for the same reason
 * </pre>
 */
public final class MqttChannelInitializer extends ChannelInitializer<Channel> {
    public static final String TLS = "tls";
    public static final String HTTP = "http";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String ORIGIN_CHECK = "ws-origin";
    public static final String WEBSOCKET = "ws-handshake";
    public static final String WEBSOCKET_FRAMES = "ws-frames";
    /** The WebSocket subprotocols of MQTT: "mqtt" for 3.1.1 and 5.0, "mqttv3.1" for 3.1 [MQTT-6.0.0-3]. */
    static final String SUBPROTOCOLS = "mqtt,mqttv3.1";
    /** The upgrade request is small; a larger one is not a WebSocket client. */
    private static final int MAX_HANDSHAKE_BYTES = 8192;
    public static final String DECODER = "decoder";
    public static final String CONNECTION = "connection";

    private final Admission admission;
    private final ClientPackets packets;
    private final ConnectionLifecycle lifecycle;
    private final ListenerConfig listener;
    private final TlsContexts tls;

    /** @param tls the TLS contexts, for mqtts and wss listeners; may be {@code null} for plain ones */
    public MqttChannelInitializer(Admission admission, ClientPackets packets, ConnectionLifecycle lifecycle,
                                  ListenerConfig listener, TlsContexts tls) {
        this.admission = admission;
        this.packets = packets;
        this.lifecycle = lifecycle;
        this.listener = listener;
        this.tls = tls;
    }

    /** The handler of a listener's server channel that holds it to its connection limits. */
    public static ChannelHandler admissionControl(ListenerConfig listener, BrokerMetrics metrics) {
        return new AdmissionControl(listener, metrics);
    }

    /**
     * Adds the WebSocket layer of a ws or wss listener: the HTTP upgrade (refused to web pages of origins the
     * listener does not allow), then MQTT bytes out of binary frames. Public for the fuzz tests of the framing path.
     */
    public static void addWebSocket(ChannelPipeline p, ListenerConfig listener, int maxPacketSize,
                                    long handshakeTimeoutMillis, BrokerMetrics metrics) {
        p.addLast(HTTP, new HttpServerCodec());
        p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HANDSHAKE_BYTES));
        p.addLast(ORIGIN_CHECK, new OriginCheck(listener.allowedOrigins(), metrics));
        p.addLast(WEBSOCKET, new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/").checkStartsWith(true) // any path, as Mosquitto and HiveMQ accept
                .subprotocols(SUBPROTOCOLS)
                .maxFramePayloadLength(maxPacketSize + 8) // one whole packet with its fixed header
                .handshakeTimeoutMillis(handshakeTimeoutMillis)
                .build()));
        p.addLast(WEBSOCKET_FRAMES, new WebSocketFrames(metrics));
    }

    @Override
    protected void initChannel(Channel ch) throws SSLException {
        ChannelPipeline p = ch.pipeline();
        String protocol = listener.protocol();
        if ("mqtts".equals(protocol) || "wss".equals(protocol)) {
            SslContext context = tls == null ? null : tls.contextFor(listener.name());
            if (context == null) {
                ch.close(); // checked at start-up; a provider that stopped serving the listener refuses clients
                return;
            }
            p.addLast(TLS, context.newHandler(ch.alloc()));
        }
        if (listener.isWebSocket()) {
            addWebSocket(p, listener, admission.mqtt().maxPacketSize(),
                    TimeUnit.SECONDS.toMillis(lifecycle.connectTimeoutSeconds()), packets.metrics());
        }
        // No flush handler: the connection merges its flushes with those of its whole event loop (LoopFlusher).
        p.addLast(DECODER, new MqttDecoder(admission.mqtt().maxPacketSize()));
        // The connection encodes what it writes itself: no encoder handler (see MqttEncoder).
        p.addLast(CONNECTION, new MqttConnection(admission, packets, lifecycle, listener.name()));
    }
}
