package io.gannet.broker.connection;

import io.gannet.broker.auth.AuthDecision;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.DecoderFailure;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttEncoder;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.Message;
import io.gannet.broker.session.ClientLink;
import io.gannet.broker.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the last handler of the pipeline, on the connection's event loop. It runs the CONNECT
 * handshake, hands each later packet to the session and {@link PacketHandler}, and is the one place that answers
 * bad input: it logs, sends the reason code the spec asks for, and closes.
 */
public final class MqttConnection extends ChannelDuplexHandler implements ClientLink, LoopFlusher.Target {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    /** Bounds what waits for the end of the loop turn, so a large burst still leaves in pieces. */
    private static final int MAX_UNFLUSHED_WRITES = 128;

    private enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTING, CONNECTED, CLOSING }

    private final BrokerServices services;
    private final String listenerName;
    /** The 5.0 client's Maximum Packet Size, for what the connection encodes; none until CONNECT says. */
    private long clientMaxPacketSize = Long.MAX_VALUE;
    /** The 5.0 client's Request Problem Information. */
    private boolean problemInformation = true;
    private ChannelHandlerContext ctx;
    private State state = State.AWAITING_CONNECT;
    private ScheduledFuture<?> connectTimeout;
    /** Set at CONNECT when the client asks for a keep-alive. */
    private KeepAliveTimer keepAlive;
    private MqttVersion version = MqttVersion.V3_1_1;
    private String clientId;
    private Connect.Will will;
    private boolean cleanDisconnect;
    /** Why the connection is ending, for the disconnect event; null until something says. */
    private String closeReason;
    private boolean clientSentDisconnect;
    /** Whether CONNACK accepted this connection: only then is its will published on an abnormal close. */
    private volatile boolean accepted;
    /** What this connection agreed with its client at CONNECT. */
    private ConnectTerms terms;
    /** Made on the first PUBLISH with a Topic Alias. */
    private InboundTopicAliases inboundAliases;
    private PublishHeaderWriter publishHeaders;
    /** The enhanced-authentication exchange, when CONNECT named an Authentication Method. */
    private EnhancedAuthFlow authFlow;
    private byte[] authSuccessData;
    private Session session;
    private PacketHandler packets;
    /**
     * Packets (and decoder failures) that must wait: after CONNECT until the session is attached, and while an
     * authorization decision is pending. Replayed in order.
     */
    private List<Object> pending;
    /** How many pending decisions hold the input back; reading resumes at 0. */
    private int inputSuspensions;
    /** Set once at CONNECT; volatile because plugins list connected clients from their own threads. */
    private volatile ConnectAttempt attempt;
    private LoopFlusher flusher;
    private PublishTemplate template;
    /** Whether this connection waits in its loop's flusher. */
    private boolean flushRequested;
    /** Writes since the last flush: past {@link #MAX_UNFLUSHED_WRITES} the connection flushes at once. */
    private int unflushedWrites;

    public MqttConnection(BrokerServices services, String listenerName) {
        this.services = services;
        this.listenerName = listenerName;
    }

    // ---- channel events ---------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.flusher = LoopFlusher.of(ctx.executor());
        this.template = PublishTemplate.ofThisLoop();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        services.metrics().connectionOpened();
        services.clients().add(ctx.channel());
        int timeout = services.config().mqtt().connectTimeoutSeconds();
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
            case AUTHENTICATING -> onDuringAuthentication(msg);
            case CONNECTING -> hold(msg); // answered in order once CONNACK is out
            case CONNECTED -> {
                if (inputSuspensions > 0) {
                    hold(msg); // a decision for an earlier packet is pending: keep the order
                } else {
                    handle(msg);
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
        flusher.readComplete();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            // The write buffer is full of bytes still waiting for the loop's flush: send them now, so that the
            // socket drains them and the session does not queue (or drop) what it could have written.
            flushWritten();
        }
        if (state == State.CONNECTED) {
            boolean writable = ctx.channel().isWritable();
            // A client that does not read its acknowledgements is not read from either: no unbounded buffering.
            ctx.channel().config().setAutoRead(writable && inputSuspensions == 0);
            if (writable) {
                session.drain();
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
        services.metrics().connectionClosed();
        state = State.CLOSING;
        if (authFlow != null) {
            authFlow.abandon();
        }
        if (accepted) {
            services.events().clientDisconnected(attempt, closeReason == null ? "connection lost" : closeReason,
                    clientSentDisconnect);
        }
        Message willMessage = accepted && will != null && !cleanDisconnect ? willMessage() : null;
        if (session != null) {
            // The session decides when the will goes out: now, or after its Will Delay Interval.
            long delay = will == null ? 0 : will.properties().number(PropertyId.WILL_DELAY_INTERVAL, 0);
            session.detach(this, willMessage, delay);
            session = null;
        } else if (willMessage != null) {
            services.sessionContext().willPublisher().accept(willMessage);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Connection of client {} failed: {}", clientId, cause.toString());
        } else {
            log.warn("Closing the connection of client {} after an unexpected error", clientId, cause);
        }
        ctx.close();
    }

    private void handle(Object msg) {
        if (msg instanceof DecoderFailure failure) {
            onDecoderFailure(failure);
        } else {
            packets.handle((MqttPacket) msg);
        }
    }

    // ---- CONNECT ----------------------------------------------------------------------------------------------

    private void onConnect(Connect connect) {
        connectTimeout.cancel(false);
        connectTimeout = null; // the connection may live for months: do not keep the spent timer
        state = State.CONNECTING;
        version = connect.version(); // from here on, packets go out in the client's version
        // Stop reading until the session is attached; what was already decoded waits in 'pending'.
        ctx.channel().config().setAutoRead(false);

        MqttConfig mqtt = services.config().mqtt();
        terms = ConnectTerms.negotiate(connect, mqtt);
        if (terms == null) {
            refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client id not allowed here");
            return;
        }
        clientId = terms.clientId();
        will = connect.will();
        ClientLimits limits = terms.limits();
        clientMaxPacketSize = limits.maximumPacketSize();
        problemInformation = limits.requestProblemInformation();
        publishHeaders = new PublishHeaderWriter(version, limits.maximumPacketSize(),
                OutboundTopicAliases.of(Math.min(limits.topicAliasMaximum(), mqtt.outboundTopicAliasMaximum()),
                        mqtt.outboundTopicAliasLru()), services.sessionContext().clock());
        if (terms.keepAliveSeconds() > 0) {
            // [MQTT-3.1.2-24]: one and a half times the keep alive without a packet closes the connection.
            keepAlive = KeepAliveTimer.start(ctx.executor(), terms.keepAliveSeconds() * 1500L, () -> {
                log.debug("Client {} sent nothing for 1.5 times its keep-alive; closing", clientId);
                disconnect(ReasonCode.KEEP_ALIVE_TIMEOUT, "keep alive timeout");
            });
        }
        attempt = new ConnectAttempt(clientId, connect.username(), connect.password(), version, listenerName,
                ctx.channel().remoteAddress(), peerCertificates());
        ConnectAttempt attempt = this.attempt;
        CompletionStage<AuthDecision> decided = services.authenticator().authenticate(attempt);
        if (decided instanceof CompletableFuture<AuthDecision> known && known.isDone()
                && !known.isCompletedExceptionally()) {
            // Decided already (no authentication plugin, or a cached answer): go on in this turn, with no callback
            // and no task to allocate for each connection of a connection storm.
            afterAuthentication(connect, attempt, known.join(), null);
            return;
        }
        decided.whenComplete((decision, error) ->
                ctx.executor().execute(() -> afterAuthentication(connect, attempt, decision, error)));
    }

    private void afterAuthentication(Connect connect, ConnectAttempt attempt, AuthDecision decision,
                                     Throwable error) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (error != null) {
            log.warn("Authentication of client {} failed with an error; refusing", clientId, error);
            refuse(ReasonCode.UNSPECIFIED_ERROR, "authentication failed");
            return;
        }
        if (!decision.allowed()) {
            log.info("Client {} from {} refused: {}", clientId, ctx.channel().remoteAddress(), decision.reason());
            refuse(decision.reasonCode(), decision.reason());
            return;
        }
        if (decision.username() != null) {
            // The authenticator named the client (from its certificate, say): hooks from now on see that name.
            this.attempt = new ConnectAttempt(attempt.clientId(), decision.username(), attempt.password(),
                    attempt.version(), attempt.listenerName(), attempt.remoteAddress(), attempt.certificates());
            log.debug("Client {} authenticated as '{}'", clientId, decision.username());
        }
        String method = connect.properties().string(PropertyId.AUTHENTICATION_METHOD);
        if (method == null) {
            openSession();
            return;
        }
        authFlow = new EnhancedAuthFlow(this, services.enhancedAuthenticator(), attempt, method);
        state = State.AUTHENTICATING;
        if (!authFlow.begin(EnhancedAuthFlow.data(connect.properties()))) {
            refuse(ReasonCode.BAD_AUTHENTICATION_METHOD, "authentication method '" + method + "' is not supported");
            return;
        }
        // The client answers challenges with AUTH packets: keep reading while the exchange runs.
        ctx.channel().config().setAutoRead(true);
    }

    /** Until CONNACK, a client in an enhanced-authentication exchange may send only AUTH or DISCONNECT. */
    private void onDuringAuthentication(Object msg) {
        if (msg instanceof Auth auth) {
            authFlow.onAuth(auth, false);
        } else if (msg instanceof Disconnect) {
            ctx.close();
        } else if (msg instanceof DecoderFailure failure) {
            onDecoderFailure(failure);
        } else {
            refuse(ReasonCode.PROTOCOL_ERROR, "only AUTH may come before CONNACK during enhanced authentication");
        }
    }

    void enhancedAuthenticationSucceeded(byte[] serverData) {
        if (state != State.AUTHENTICATING) {
            return;
        }
        authSuccessData = serverData;
        state = State.CONNECTING;
        ctx.channel().config().setAutoRead(false);
        openSession();
    }

    void enhancedAuthenticationFailed(int reasonCode) {
        if (state == State.AUTHENTICATING) {
            log.info("Client {} from {} failed enhanced authentication", clientId, ctx.channel().remoteAddress());
            refuse(reasonCode, "authentication failed");
        }
    }

    private void openSession() {
        EventLoop loop = ctx.channel().eventLoop();
        Session s = services.sessions().getOrCreate(clientId,
                () -> new Session(clientId, loop, services.sessionContext()));
        // If the session ended just before the takeover reached it, start over with a fresh one.
        s.takeover(this, terms.cleanStart(), terms.sessionExpiry(), () -> loop.execute(this::openSession));
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
        packets = new PacketHandler(this, attachedSession, services);
        MqttProperties props = MqttProperties.EMPTY;
        if (version.isV5()) {
            props = services.connAckProperties().forClient(terms);
            if (authFlow != null) {
                MqttProperties.Builder b = props.toBuilder()
                        .string(PropertyId.AUTHENTICATION_METHOD, authFlow.method());
                if (authSuccessData != null && authSuccessData.length > 0) {
                    b.binary(PropertyId.AUTHENTICATION_DATA, authSuccessData);
                }
                props = b.build();
            }
        }
        // 3.1 has no Session Present flag: its first CONNACK byte is reserved and must stay 0.
        boolean present = sessionPresent && version != MqttVersion.V3_1;
        // Flushed with the loop's other writes: in a connection storm, many CONNACKs leave in one pass, and no
        // promise is made for each.
        ctx.write(encode(new ConnAck(present, ReasonCode.SUCCESS, props)), ctx.voidPromise());
        flushSoon(1);
        services.events().clientConnected(attempt, present);
        log.debug("Client {} connected ({}, session present: {})", clientId, version, sessionPresent);
        resumeInput();
    }

    /**
     * Holds back the client's next packets until {@link #resumeInput}: an asynchronous decision is pending. Calls
     * nest; each needs its own {@code resumeInput}.
     */
    void suspendInput() {
        inputSuspensions++;
        ctx.channel().config().setAutoRead(false);
    }

    /** Keeps a packet that must wait for an earlier one's answer. */
    private void hold(Object msg) {
        if (pending == null) {
            pending = new ArrayList<>(2);
        }
        pending.add(msg);
    }

    /** Ends one suspension; at the last, handles the packets that waited, in order, then reads again. */
    void resumeInput() {
        if (inputSuspensions > 0) {
            inputSuspensions--;
        }
        while (inputSuspensions == 0 && state == State.CONNECTED && pending != null && !pending.isEmpty()) {
            handle(pending.remove(0));
        }
        if (pending != null && pending.isEmpty()) {
            pending = null; // most connections never hold a packet back again: do not keep the list for them
        }
        if (inputSuspensions == 0 && state == State.CONNECTED) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
    }

    /** The certificate chain a client presented in the TLS handshake (complete before CONNECT), leaf first. */
    private List<java.security.cert.X509Certificate> peerCertificates() {
        io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<java.security.cert.X509Certificate> chain = new ArrayList<>();
            for (java.security.cert.Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof java.security.cert.X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (javax.net.ssl.SSLPeerUnverifiedException noClientCertificate) {
            return List.of();
        }
    }

    /** The client as it connected, for hooks. */
    ConnectAttempt attempt() {
        return attempt;
    }

    @Override
    public ConnectAttempt client() {
        return attempt;
    }

    /** The client, once CONNACK accepted it; else {@code null}. Callable from any thread. */
    public ConnectAttempt acceptedClient() {
        return accepted ? attempt : null;
    }

    /** Refuses a CONNECT with a CONNACK carrying the reason (mapped to a return code for 3.x), then closes. */
    private void refuse(int reasonCode, String reason) {
        state = State.CLOSING;
        ConnAck ack = version.isV5()
                ? new ConnAck(false, reasonCode, reasonString(reason))
                : new ConnAck(false, ReasonCode.toV3ConnAck(reasonCode), MqttProperties.EMPTY);
        writeAndClose(ack, version);
    }

    // ---- errors and server-side disconnects -------------------------------------------------------------------

    private void onDecoderFailure(DecoderFailure failure) {
        services.metrics().malformedPacket();
        log.info("Closing connection from {} (client {}): {}", ctx.channel().remoteAddress(),
                clientId == null ? "not connected" : clientId, failure.message());
        boolean v5 = failure.version() == MqttVersion.V5;
        State was = state;
        if (failure.inConnect()) {
            state = State.CLOSING;
            if (failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
                // Unknown level: answer in 3.1.1 form, which every version can read [MQTT-3.1.2-2].
                writeAndClose(new ConnAck(false, ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION, MqttProperties.EMPTY),
                        MqttVersion.V3_1_1);
            } else if (v5) {
                writeAndClose(new ConnAck(false, failure.reasonCode(), reasonString(failure.message())),
                        MqttVersion.V5);
            } else {
                ctx.close();
            }
            return;
        }
        if (was == State.AWAITING_CONNECT) {
            state = State.CLOSING;
            ctx.close(); // nothing may be sent before CONNECT [MQTT-3.1.0-1]
            return;
        }
        disconnect(failure.reasonCode(), failure.message());
    }

    /** Protocol violation found after decoding: answer it like a decoder failure. */
    void protocolViolation(int reasonCode, String message) {
        onDecoderFailure(new DecoderFailure(reasonCode, message, false, version));
    }

    @Override
    public void disconnect(int reasonCode, String reason) {
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean tellClient = version.isV5() && state == State.CONNECTED;
        if (closeReason == null) {
            closeReason = reason;
        }
        state = State.CLOSING;
        ctx.channel().config().setAutoRead(false);
        if (tellClient) {
            writeAndClose(new Disconnect(reasonCode, reasonString(reason)), version);
        } else {
            ctx.close();
        }
    }

    @Override
    public void takenOver(boolean sessionContinues) {
        log.debug("Client {} connected again elsewhere; closing this connection", clientId);
        if (sessionContinues && will != null && will.properties().number(PropertyId.WILL_DELAY_INTERVAL, 0) > 0) {
            will = null; // the session lives on within the will's delay: no will [MQTT-3.1.3-9]
        }
        session = null; // the session now belongs to the new connection
        disconnect(ReasonCode.SESSION_TAKEN_OVER, "session taken over");
    }

    /** The client sent DISCONNECT: close without the will, unless a 5.0 client asked for it with 0x04. */
    void clientDisconnected(Disconnect disconnect) {
        cleanDisconnect = disconnect.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL;
        clientSentDisconnect = true;
        closeReason = "client disconnect";
        ctx.close();
    }

    /** The broker is shutting down: tell 5.0 clients why, close without publishing wills. */
    public void shutdown() {
        cleanDisconnect = true;
        disconnect(ReasonCode.SERVER_SHUTTING_DOWN, "server shutting down");
    }

    /** The will as an application message: its properties pass through, its delay is the session's business. */
    private Message willMessage() {
        MqttProperties props = will.properties().has(PropertyId.WILL_DELAY_INTERVAL)
                ? will.properties().toBuilder().remove(PropertyId.WILL_DELAY_INTERVAL).build() : will.properties();
        return Message.expiring(will.topic(), will.qos(), will.retain(), will.payload(), props, clientId,
                services.sessionContext().clock().millis());
    }

    private MqttProperties reasonString(String reason) {
        if (!version.isV5() || reason == null || reason.isEmpty()) {
            return MqttProperties.EMPTY;
        }
        return MqttProperties.builder().string(PropertyId.REASON_STRING, reason).build();
    }

    /** Handles an AUTH packet after CONNACK: re-authentication, or a protocol error without a method in use. */
    void onAuth(Auth auth) {
        if (authFlow == null) {
            protocolViolation(ReasonCode.PROTOCOL_ERROR, "AUTH without an authentication method in CONNECT");
            return;
        }
        authFlow.onAuth(auth, true);
    }

    // ---- ClientLink -------------------------------------------------------------------------------------------

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public MqttVersion version() {
        return version;
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
        byte[] bytes = message.payload();
        boolean small = bytes.length <= LocalRouter.INLINE_PAYLOAD_MAX;
        if (small && !dup && publishHeaders.sameForEverySubscriber(message, subscriptionIds)) {
            ByteBuf packet = template.packet(ctx.alloc(), message, version, qos, retain, packetId);
            if (!publishHeaders.fits(packet.readableBytes())) {
                packet.release();
                return false;
            }
            services.metrics().messageSent(packet.readableBytes());
            ctx.write(packet, ctx.voidPromise());
            flushSoon(1);
            return true;
        }
        // A small payload is copied behind the header: one buffer and one write beat sharing it, which costs a
        // buffer view, a second write and a scatter list entry per subscriber.
        boolean inline = sharedPayload == null || small;
        ByteBuf header = publishHeaders.header(ctx.alloc(), message, qos, retain, dup, packetId, subscriptionIds,
                inline ? bytes.length : 0);
        if (header == null) {
            return false;
        }
        int size = header.readableBytes() + bytes.length;
        services.metrics().messageSent(size);
        if (inline) {
            header.writeBytes(bytes);
            ctx.write(header, ctx.voidPromise());
            flushSoon(1);
        } else {
            ctx.write(header, ctx.voidPromise());
            ctx.write(sharedPayload.retainedDuplicate(), ctx.voidPromise());
            flushSoon(2);
        }
        return true;
    }

    /**
     * Flushes at the end of this loop turn, together with the other connections of the loop (see
     * {@link LoopFlusher}), or now when much is waiting already.
     */
    private void flushSoon(int writes) {
        unflushedWrites += writes;
        if (unflushedWrites >= MAX_UNFLUSHED_WRITES) {
            flushWritten(); // still in the flusher's list, if it was: that entry then finds nothing to flush
        } else if (!flushRequested) {
            flushRequested = true;
            flusher.request(this);
        }
    }

    /** Called by the loop's flusher: flushes what was written; the next write asks the flusher again. */
    @Override
    public void flushNow() {
        flushRequested = false;
        flushWritten();
    }

    private void flushWritten() {
        if (unflushedWrites > 0) {
            unflushedWrites = 0;
            ctx.flush();
        }
    }

    @Override
    public int receiveMaximum() {
        return terms.limits().receiveMaximum();
    }

    /** Resolves a 5.0 PUBLISH's topic alias; throws for an invalid one. */
    String resolveTopic(String topic, int alias) {
        if (inboundAliases == null) { // only clients that use aliases pay for them
            inboundAliases = new InboundTopicAliases(services.config().mqtt().topicAliasMaximum());
        }
        return inboundAliases.resolve(topic, alias);
    }

    @Override
    public void write(MqttPacket packet) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> write(packet)); // encoded and flushed on the loop, like every other write
            return;
        }
        ctx.write(encode(packet), ctx.voidPromise());
        flushSoon(1);
    }

    /** A packet written to the channel by anyone else is encoded here, as the connection's own are. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg instanceof MqttPacket packet ? encode(packet) : msg, promise);
    }

    /** Encodes in the client's version and within what its CONNECT asked for (see {@link MqttEncoder}). */
    private ByteBuf encode(MqttPacket packet) {
        return encode(packet, version);
    }

    private ByteBuf encode(MqttPacket packet, MqttVersion inVersion) {
        return MqttEncoder.encode(ctx.alloc(), packet, inVersion, clientMaxPacketSize, problemInformation);
    }

    /** The last packet: a refusing CONNACK or a DISCONNECT, in {@code inVersion}, then the connection closes. */
    private void writeAndClose(MqttPacket packet, MqttVersion inVersion) {
        ctx.writeAndFlush(encode(packet, inVersion)).addListener(ChannelFutureListener.CLOSE);
    }

    String clientId() {
        return clientId;
    }

    @Override
    public String toString() {
        return "MqttConnection[" + clientId + ", " + ctx.channel().remoteAddress() + "]";
    }
}
