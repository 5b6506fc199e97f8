package io.gannet.broker.connection;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.DecoderFailure;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.session.ClientLink;
import io.gannet.broker.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the last handler of the pipeline, on the connection's event loop. It follows the
 * connection through its states, hands CONNECT to its {@link ConnectHandshake} and later packets to its
 * {@link PacketHandler}, writes through its {@link OutboundWriter}, and is the one place that closes a connection:
 * for bad input it logs, sends the reason code the spec asks for, and closes.
 */
public final class MqttConnection extends ChannelDuplexHandler implements ClientLink {
    static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSING }

    private final Admission admission;
    private final ClientPackets packets;
    private final ConnectionLifecycle lifecycle;
    private final String listenerName;
    private ChannelHandlerContext ctx;
    private OutboundWriter writer;
    private InputGate input;
    private ConnectHandshake handshake;
    private State state = State.AWAITING_CONNECT;
    private ScheduledFuture<?> connectTimeout;
    /** While an enhanced-authentication exchange runs before CONNACK: when it is given up. */
    private ScheduledFuture<?> authTimeout;
    /** Set at CONNECT when the client asks for a keep-alive. */
    private KeepAliveTimer keepAlive;
    /** Made when something closes the connection: a connection that lives for months does not carry it. */
    private ConnectionCloser closer;
    /** Whether CONNACK accepted this connection: only then is its will published on an abnormal close. */
    private volatile boolean accepted;
    private Session session;
    private PacketHandler handler;

    public MqttConnection(Admission admission, ClientPackets packets, ConnectionLifecycle lifecycle,
                          String listenerName) {
        this.admission = admission;
        this.packets = packets;
        this.lifecycle = lifecycle;
        this.listenerName = listenerName;
    }

    // ---- channel events ---------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new OutboundWriter(ctx, lifecycle.metrics());
        this.input = new InputGate(this, ctx.channel());
        this.handshake = new ConnectHandshake(this, admission);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lifecycle.metrics().connectionOpened();
        lifecycle.clients().add(ctx.channel());
        int timeout = lifecycle.connectTimeoutSeconds();
        connectTimeout = ctx.executor().schedule(() -> {
            if (state == State.AWAITING_CONNECT) {
                log.debug("Closing {}: no CONNECT within {} s", ctx.channel().remoteAddress(), timeout);
                ctx.close();
            }
        }, timeout, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (state) {
            case AWAITING_CONNECT -> {
                if (msg instanceof DecoderFailure failure) {
                    onDecoderFailure(failure);
                } else {
                    onConnect((Connect) msg); // the decoder lets nothing else through first
                }
            }
            case AUTHENTICATING -> handshake.duringAuthentication(msg);
            case CONNECTING -> input.hold(msg); // answered in order once CONNACK is out
            case CONNECTED -> {
                if (input.isSuspended()) {
                    input.hold(msg); // a decision for an earlier packet is pending: keep the order
                } else if (msg instanceof MqttPacket packet) {
                    handler.handle(packet); // not through handle(): the publish path is deep enough as it is
                } else {
                    onDecoderFailure((DecoderFailure) msg);
                }
            }
            case CLOSING -> { }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (keepAlive != null) {
            keepAlive.readCompleted();
        }
        writer.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            // The write buffer is full of bytes still waiting for the loop's flush: send them now, so that the
            // socket drains them and the session does not queue (or drop) what it could have written.
            writer.flushWritten();
        }
        if (state == State.CONNECTED) {
            boolean writable = ctx.channel().isWritable();
            // A client that does not read its acknowledgements is not read from either: no unbounded buffering.
            ctx.channel().config().setAutoRead(writable && !input.isSuspended());
            if (writable) {
                session.outbound().drain();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        if (keepAlive != null) {
            keepAlive.stop();
        }
        lifecycle.metrics().connectionClosed();
        state = State.CLOSING;
        handshake.abandon();
        if (accepted) {
            lifecycle.events().clientDisconnected(handshake.attempt(), closer().reason(),
                    closer().clientSentDisconnect());
        }
        Message willMessage = accepted && !closer().willWithheld() ? handshake.willMessage() : null;
        if (session != null && closer().brokerStopping()) {
            session.detachAtShutdown(this, accepted ? handshake.willMessage() : null, handshake.willDelaySeconds());
            session = null;
        } else if (session != null) {
            // The session decides when the will goes out: now, or after its Will Delay Interval.
            session.detach(this, willMessage, handshake.willDelaySeconds());
            session = null;
        } else if (willMessage != null) {
            lifecycle.wills().publishWill(willMessage, client());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Connection of client {} failed: {}", clientId(), cause.toString());
        } else {
            log.warn("Closing the connection of client {} after an unexpected error", clientId(), cause);
        }
        ctx.close();
    }

    /** Handles a packet of a connected client, or the decoder's failure. */
    void handle(Object msg) {
        if (msg instanceof DecoderFailure failure) {
            onDecoderFailure(failure);
        } else {
            handler.handle((MqttPacket) msg);
        }
    }

    // ---- CONNECT ----------------------------------------------------------------------------------------------

    private void onConnect(Connect connect) {
        connectTimeout.cancel(false);
        connectTimeout = null; // the connection may live for months: do not keep the spent timer
        state = State.CONNECTING;
        writer.version(connect.version()); // from here on, packets go out in the client's version
        // Stop reading until the session is attached; what was already decoded waits in the input gate.
        ctx.channel().config().setAutoRead(false);
        handshake.onConnect(connect);
    }

    /** The client asked for a keep-alive: 1.5 times it without a packet closes the connection [MQTT-3.1.2-24]. */
    void startKeepAlive(int seconds) {
        keepAlive = KeepAliveTimer.start(ctx.executor(), seconds * 1500L, () -> {
            log.debug("Client {} sent nothing for 1.5 times its keep-alive; closing", clientId());
            disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "keep alive timeout");
        });
    }

    /** The client answers enhanced-authentication challenges with AUTH packets: read them. */
    void authenticating() {
        state = State.AUTHENTICATING;
        ctx.channel().config().setAutoRead(true);
        // An exchange may not hold a connection open for ever: it has the CONNECT's time to finish.
        int timeout = lifecycle.connectTimeoutSeconds();
        authTimeout = ctx.executor().schedule(() -> {
            if (state == State.AUTHENTICATING) {
                handshake.abandon();
                refuse(ReasonCode.NOT_AUTHORIZED, "authentication did not finish within " + timeout + " s");
            }
        }, timeout, TimeUnit.SECONDS);
    }

    /** The enhanced-authentication exchange ended well: stop reading until the session is attached. */
    boolean authenticated() {
        if (state != State.AUTHENTICATING) {
            return false;
        }
        state = State.CONNECTING;
        ctx.channel().config().setAutoRead(false);
        authTimeout.cancel(false);
        authTimeout = null;
        return true;
    }

    boolean isAuthenticating() {
        return state == State.AUTHENTICATING;
    }

    @Override
    public void attached(Session attachedSession, boolean sessionPresent) {
        if (state != State.CONNECTING) {
            attachedSession.detach(this, null, 0);
            return;
        }
        session = attachedSession;
        state = State.CONNECTED;
        accepted = true;
        handler = packets.handlerFor(this, attachedSession);
        ConnAck connAck = handshake.connAck(sessionPresent, writer.version());
        // Flushed with the loop's other writes: in a connection storm, many CONNACKs leave in one pass.
        writer.write(connAck);
        lifecycle.events().clientConnected(handshake.attempt(), connAck.sessionPresent());
        log.debug("Client {} connected ({}, session present: {})", clientId(), writer.version(), sessionPresent);
        input.resume();
    }

    /** Holds back the client's next packets until {@link #resumeInput}: an asynchronous decision is pending. */
    void suspendInput() {
        input.suspend();
    }

    /** Ends one suspension; at the last, handles the packets that waited, in order, then reads again. */
    void resumeInput() {
        input.resume();
    }

    boolean isConnected() {
        return state == State.CONNECTED;
    }

    /** Whether the channel is open (whatever the MQTT state). */
    boolean isOpen() {
        return ctx.channel().isActive();
    }

    // ---- closing: see ConnectionCloser ------------------------------------------------------------------------

    private ConnectionCloser closer() {
        if (closer == null) {
            closer = new ConnectionCloser(this, ctx.channel(), writer, lifecycle.metrics());
        }
        return closer;
    }

    /** The connection is closing from now on; returns the state it was in. */
    State enterClosing() {
        State was = state;
        state = State.CLOSING;
        return was;
    }

    void refuse(int reasonCode, String reason) {
        closer().refuse(reasonCode, reason);
    }

    void onDecoderFailure(DecoderFailure failure) {
        closer().malformed(failure);
    }

    /** Protocol violation found after decoding: answer it like a decoder failure. */
    void protocolViolation(int reasonCode, String message) {
        closer().malformed(new DecoderFailure(reasonCode, message, false, writer.version()));
    }

    @Override
    public void disconnect(int reasonCode, String reason) {
        closer().disconnect(reasonCode, reason, enterClosing() == State.CONNECTED);
    }

    @Override
    public void takenOver(boolean sessionContinues) {
        log.debug("Client {} connected again elsewhere; closing this connection", clientId());
        if (sessionContinues) {
            handshake.withdrawDelayedWill();
        }
        session = null; // the session now belongs to the new connection
        disconnect(ReasonCode.SESSION_TAKEN_OVER, "session taken over");
    }

    @Override
    public void refused(String reason) {
        log.info("Client {} from {} refused: {}", clientId(), remoteAddress(), reason);
        refused(ReasonCode.NOT_AUTHORIZED, reason, BrokerMetrics.Refusal.SESSION_OWNER);
    }

    /** Refuses the CONNECT on security grounds, counted under {@code $SYS/broker/refused/}. */
    void refused(int reasonCode, String reason, BrokerMetrics.Refusal why) {
        lifecycle.metrics().refused(why);
        refuse(reasonCode, reason);
    }

    void clientDisconnected(Disconnect disconnect) {
        closer().clientDisconnected(disconnect);
    }

    /** The broker is shutting down: tell 5.0 clients why, close without publishing wills. */
    public void shutdown() {
        closer().withholdWill();
        disconnect(ReasonCode.SERVER_SHUTTING_DOWN, "server shutting down");
    }

    // ---- ClientLink -------------------------------------------------------------------------------------------

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public MqttVersion version() {
        return writer.version();
    }

    @Override
    public Message will() {
        return handshake.willMessage();
    }

    @Override
    public long willDelaySeconds() {
        return handshake.willDelaySeconds();
    }

    @Override
    public ConnectAttempt client() {
        return handshake.attempt();
    }

    /** The client, once CONNACK accepted it; else {@code null}. Callable from any thread. */
    public ConnectAttempt acceptedClient() {
        return accepted ? handshake.attempt() : null;
    }

    @Override
    public boolean isActive() {
        return ctx.channel().isActive() && state != State.CLOSING;
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public boolean writePublish(Message message, int qos, boolean retain, boolean dup, int packetId,
                                int[] subscriptionIds, ByteBuf sharedPayload) {
        return writer.writePublish(message, qos, retain, dup, packetId, subscriptionIds, sharedPayload);
    }

    @Override
    public int receiveMaximum() {
        return handshake.terms().limits().receiveMaximum();
    }

    @Override
    public void write(MqttPacket packet) {
        writer.write(packet);
    }

    /** A packet written to the channel by anyone else is encoded here, as the connection's own are. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        writer.handOverBatch();
        ctx.write(msg instanceof MqttPacket packet ? writer.encode(packet, writer.version()) : msg, promise);
    }

    OutboundWriter writer() {
        return writer;
    }

    ConnectHandshake handshake() {
        return handshake;
    }

    /** Closes the channel without a word to the client. */
    void close() {
        ctx.close();
    }

    String clientId() {
        ConnectTerms terms = handshake.terms();
        return terms == null ? null : terms.clientId();
    }

    String listenerName() {
        return listenerName;
    }

    SocketAddress remoteAddress() {
        return ctx.channel().remoteAddress();
    }

    SslHandler sslHandler() {
        return ctx.pipeline().get(SslHandler.class);
    }

    @Override
    public String toString() {
        return "MqttConnection[" + clientId() + ", " + remoteAddress() + "]";
    }
}
