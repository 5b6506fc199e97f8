package io.gannet.broker.connection;

import io.gannet.broker.auth.AuthDecision;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.DecoderFailure;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.SessionContext;
import io.gannet.broker.session.SessionRecovery;
import io.gannet.broker.session.SessionRegistry;
import io.gannet.broker.store.SessionSnapshot;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One connection's way in: the CONNECT's terms, authentication (and the enhanced-authentication exchange), the
 * session it attaches to, and the CONNACK. Keeps what the connection agreed with its client for the rest of its
 * life. On the connection's event loop.
 */
final class ConnectHandshake {
    private final MqttConnection connection;
    private final Admission admission;
    /** What this connection agreed with its client at CONNECT. */
    private ConnectTerms terms;
    private Connect.Will will;
    /** Set at CONNECT; volatile because plugins list connected clients from their own threads. */
    private volatile ConnectAttempt attempt;
    /** The enhanced-authentication exchange, when CONNECT named an Authentication Method. */
    private EnhancedAuthFlow authFlow;
    private byte[] authSuccessData;

    ConnectHandshake(MqttConnection connection, Admission admission) {
        this.connection = connection;
        this.admission = admission;
    }

    /** Negotiates the terms, then asks the authenticator; the rest follows when it answers. */
    void onConnect(Connect connect) {
        if (connect.clientId().length() > admission.mqtt().maxClientIdLength()) {
            connection.refused(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "the client id is longer than "
                    + admission.mqtt().maxClientIdLength() + " characters", BrokerMetrics.Refusal.CLIENT_ID);
            return;
        }
        terms = ConnectTerms.negotiate(connect, admission.mqtt());
        if (terms == null) {
            connection.refuse(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client id not allowed here");
            return;
        }
        will = connect.will();
        ClientLimits limits = terms.limits();
        connection.writer().limits(limits, new PublishHeaderWriter(connect.version(), limits.maximumPacketSize(),
                OutboundTopicAliases.of(Math.min(limits.topicAliasMaximum(),
                        admission.mqtt().outboundTopicAliasMaximum()), admission.mqtt().outboundTopicAliasLru()),
                admission.clock()));
        if (terms.keepAliveSeconds() > 0) {
            connection.startKeepAlive(terms.keepAliveSeconds());
        }
        attempt = new ConnectAttempt(terms.clientId(), connect.username(), connect.password(), connect.version(),
                connection.listenerName(), connection.remoteAddress(), peerCertificates());
        ConnectAttempt asked = attempt;
        CompletionStage<AuthDecision> decided = admission.authenticator().authenticate(asked, connection::isActive);
        if (decided instanceof CompletableFuture<AuthDecision> known && known.isDone()
                && !known.isCompletedExceptionally()) {
            // Decided already (no authentication plugin, or a cached answer): go on in this turn, with no callback
            // and no task to allocate for each connection of a connection storm.
            afterAuthentication(connect, asked, known.join(), null);
            return;
        }
        decided.whenComplete((decision, error) ->
                connection.eventLoop().execute(() -> afterAuthentication(connect, asked, decision, error)));
    }

    private void afterAuthentication(Connect connect, ConnectAttempt asked, AuthDecision decision, Throwable error) {
        if (!connection.isOpen()) {
            return;
        }
        String clientId = terms.clientId();
        if (error != null) {
            MqttConnection.log.warn("Authentication of client {} failed with an error; refusing", clientId, error);
            connection.refuse(ReasonCode.UNSPECIFIED_ERROR, "authentication failed");
            return;
        }
        if (!decision.allowed()) {
            MqttConnection.log.info("Client {} from {} refused: {}", clientId, connection.remoteAddress(),
                    decision.reason());
            connection.refuse(decision.reasonCode(), decision.reason());
            return;
        }
        if (decision.username() != null) {
            // The authenticator named the client (from its certificate, say): hooks from now on see that name.
            attempt = new ConnectAttempt(asked.clientId(), decision.username(), asked.password(), asked.version(),
                    asked.listenerName(), asked.remoteAddress(), asked.certificates());
            MqttConnection.log.debug("Client {} authenticated as '{}'", clientId, decision.username());
        }
        String method = connect.properties().string(PropertyId.AUTHENTICATION_METHOD);
        if (method == null) {
            if (admission.requireAuthenticationMethod()) {
                MqttConnection.log.info("Client {} from {} refused: no authentication method", clientId,
                        connection.remoteAddress());
                connection.refused(ReasonCode.NOT_AUTHORIZED,
                        "this broker authenticates clients by enhanced authentication only",
                        BrokerMetrics.Refusal.AUTHENTICATION_METHOD);
                return;
            }
            admitWill();
            return;
        }
        authFlow = new EnhancedAuthFlow(connection, this, admission.enhancedAuthenticator(), attempt, method);
        connection.authenticating();
        if (!authFlow.begin(EnhancedAuthFlow.data(connect.properties()))) {
            connection.refuse(ReasonCode.BAD_AUTHENTICATION_METHOD,
                    "authentication method '" + method + "' is not supported");
        }
    }

    /** Until CONNACK, a client in an enhanced-authentication exchange may send only AUTH or DISCONNECT. */
    void duringAuthentication(Object msg) {
        if (msg instanceof Auth auth) {
            authFlow.onAuth(auth, false);
        } else if (msg instanceof Disconnect) {
            connection.close();
        } else if (msg instanceof DecoderFailure failure) {
            connection.onDecoderFailure(failure);
        } else {
            connection.refuse(ReasonCode.PROTOCOL_ERROR,
                    "only AUTH may come before CONNACK during enhanced authentication");
        }
    }

    /**
     * The enhanced-authentication exchange ended well: the session is next.
     *
     * @param identity the user name the authenticator established, or {@code null} to keep the CONNECT's
     */
    void authenticationSucceeded(byte[] serverData, String identity) {
        if (connection.authenticated()) {
            authSuccessData = serverData;
            if (identity != null) {
                ConnectAttempt a = attempt;
                attempt = new ConnectAttempt(a.clientId(), identity, a.password(), a.version(), a.listenerName(),
                        a.remoteAddress(), a.certificates());
            }
            admitWill();
        }
    }

    void authenticationFailed(int reasonCode) {
        if (connection.isAuthenticating()) {
            MqttConnection.log.info("Client {} from {} failed enhanced authentication", terms.clientId(),
                    connection.remoteAddress());
            connection.refuse(reasonCode, "authentication failed");
        }
    }

    /** An AUTH after CONNACK: re-authentication, or a protocol error without a method in use. */
    void onAuth(Auth auth) {
        if (authFlow == null) {
            connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                    "AUTH without an authentication method in CONNECT");
        } else {
            authFlow.onAuth(auth, true);
        }
    }

    /**
     * The client is who it says: a will it left must be one it may publish, at a QoS and with a retain flag the
     * broker allows [MQTT-3.2.2-12, MQTT-3.2.2-13], or the CONNECT is refused; then the session.
     */
    private void admitWill() {
        if (will == null) {
            openSession();
            return;
        }
        if (!admission.mqtt().withinTopicLimits(will.topic())) {
            connection.refused(ReasonCode.TOPIC_NAME_INVALID, "the will topic is beyond the broker's topic limits",
                    BrokerMetrics.Refusal.TOPIC_LIMITS);
            return;
        }
        if (UserPropertyLimit.exceeded(will.properties(), admission.mqtt())) {
            connection.refused(ReasonCode.PACKET_TOO_LARGE, "the will's user properties are beyond "
                    + admission.mqtt().maxUserPropertiesBytes() + " characters", BrokerMetrics.Refusal.USER_PROPERTIES);
            return;
        }
        if (will.qos() > admission.mqtt().maxQos()) {
            refuseWill(ReasonCode.QOS_NOT_SUPPORTED, "will QoS " + will.qos() + " is above the maximum QoS "
                    + admission.mqtt().maxQos());
            return;
        }
        if (will.retain() && !admission.mqtt().retainAvailable()) {
            refuseWill(ReasonCode.RETAIN_NOT_SUPPORTED, "retained messages are not available, for wills neither");
            return;
        }
        String topic = will.topic();
        CompletableFuture<Boolean> allowed = admission.publishing().mayPublish(attempt, topic).toCompletableFuture();
        if (allowed.isDone()) {
            willDecided(allowed, topic);
        } else {
            allowed.whenComplete((ok, error) -> connection.eventLoop().execute(() -> willDecided(allowed, topic)));
        }
    }

    private void willDecided(CompletableFuture<Boolean> allowed, String topic) {
        if (!connection.isOpen()) {
            return;
        }
        if (!allowed.isCompletedExceptionally() && Boolean.TRUE.equals(allowed.join())) {
            openSession();
        } else {
            refuseWill(ReasonCode.NOT_AUTHORIZED, "not authorized to leave a will on " + topic);
        }
    }

    private void refuseWill(int reasonCode, String reason) {
        MqttConnection.log.info("Client {} from {} refused: {}", terms.clientId(), connection.remoteAddress(),
                reason);
        connection.refused(reasonCode, reason, BrokerMetrics.Refusal.WILL);
    }

    void openSession() {
        SessionContext context = admission.sessionContext();
        String clientId = terms.clientId();
        if (context.store().isShared() && !terms.cleanStart() && admission.sessions().get(clientId) == null) {
            // The session may be on another node of the cluster: claim it first, and rebuild it here if it was.
            context.store().claim(clientId).whenComplete((claimed, error) ->
                    connection.eventLoop().execute(() -> claimed(claimed, error)));
            return;
        }
        attachSession();
    }

    private void claimed(Optional<SessionSnapshot> claimed, Throwable error) {
        if (!connection.isOpen()) {
            return;
        }
        if (error != null) {
            MqttConnection.log.warn("Client {} from {} refused: its session could not be claimed from the cluster "
                    + "({})", terms.clientId(), connection.remoteAddress(), error.toString());
            connection.refuse(ReasonCode.SERVER_UNAVAILABLE, "the cluster cannot hand over the session now");
            return;
        }
        if (claimed.isPresent()) {
            SessionRecovery.adopt(claimed.get(), connection.eventLoop(), admission.sessionContext());
            admission.sessionContext().store().hosting(terms.clientId());
        }
        attachSession();
    }

    private void attachSession() {
        EventLoop loop = connection.eventLoop();
        String clientId = terms.clientId();
        SessionRegistry sessions = admission.sessions();
        if (sessions.get(clientId) == null && sessions.size() >= admission.sessionContext().config().maxSessions()) {
            // Approximate under concurrent CONNECTs, as a bound on memory needs to be: a few over, never many.
            MqttConnection.log.info("Client {} from {} refused: the broker holds sessions.max-sessions sessions",
                    clientId, connection.remoteAddress());
            connection.refused(ReasonCode.QUOTA_EXCEEDED, "the broker has no room for another session",
                    BrokerMetrics.Refusal.SESSIONS);
            return;
        }
        Session s = sessions.getOrCreate(clientId,
                () -> new Session(clientId, loop, admission.sessionContext()));
        // If the session ended just before the takeover reached it, start over: in a cluster it may have ended here
        // because another node took it, so it is claimed again rather than replaced by a fresh one.
        s.takeover(connection, terms.cleanStart(), terms.sessionExpiry(), () -> loop.execute(this::openSession));
    }

    /** The CONNACK that accepts the client, with what a 5.0 client is told. */
    ConnAck connAck(boolean sessionPresent, MqttVersion version) {
        MqttProperties props = MqttProperties.EMPTY;
        if (version.isV5()) {
            props = admission.connAckProperties().forClient(terms);
            if (authFlow != null) {
                MqttProperties.Builder b = props.toBuilder()
                        .string(PropertyId.AUTHENTICATION_METHOD, authFlow.method());
                if (authSuccessData != null && authSuccessData.length > 0) {
                    b.binary(PropertyId.AUTHENTICATION_DATA, authSuccessData);
                }
                props = b.build();
            }
        }
        authSuccessData = null;
        // 3.1 has no Session Present flag: its first CONNACK byte is reserved and must stay 0.
        return new ConnAck(sessionPresent && version != MqttVersion.V3_1, ReasonCode.SUCCESS, props);
    }

    /** The connection is closing: an exchange still running stops answering. */
    void abandon() {
        if (authFlow != null) {
            authFlow.abandon();
        }
    }

    ConnectTerms terms() {
        return terms;
    }

    ConnectAttempt attempt() {
        return attempt;
    }

    /** Whether the client left a will (and it was not withdrawn). */
    boolean hasWill() {
        return will != null;
    }

    long willDelaySeconds() {
        return will == null ? 0 : will.properties().number(PropertyId.WILL_DELAY_INTERVAL, 0);
    }

    /** The session lives on within the will's delay: no will [MQTT-3.1.3-9]. */
    void withdrawDelayedWill() {
        if (willDelaySeconds() > 0) {
            will = null;
        }
    }

    /** The will as an application message: its properties pass through, its delay is the session's business. */
    Message willMessage() {
        if (will == null) {
            return null;
        }
        MqttProperties props = will.properties().has(PropertyId.WILL_DELAY_INTERVAL)
                ? will.properties().toBuilder().remove(PropertyId.WILL_DELAY_INTERVAL).build() : will.properties();
        return Message.expiring(will.topic(), will.qos(), will.retain(), will.payload(), props, terms.clientId(),
                admission.clock());
    }

    /** The certificate chain a client presented in the TLS handshake (complete before CONNECT), leaf first. */
    private List<X509Certificate> peerCertificates() {
        SslHandler ssl = connection.sslHandler();
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : ssl.engine().getSession().getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
            return chain;
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return List.of();
        }
    }
}
