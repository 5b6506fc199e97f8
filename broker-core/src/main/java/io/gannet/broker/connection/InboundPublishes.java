package io.gannet.broker.connection;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.MalformedPacketException;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.publish.AuthorizationCache;
import io.gannet.broker.publish.InboundInterceptor;
import io.gannet.broker.publish.PublishOrigin;
import io.gannet.broker.routing.Routed;
import io.gannet.broker.session.Session;
import io.gannet.broker.store.StoreFullException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The messages a client publishes, and their QoS 1 and 2 flows: checks what the connection agreed (QoS, retain,
 * aliases, payload format), hands each message to the broker's publish path, and answers with PUBACK or PUBREC once
 * the path's answer allows: after an interceptor's hold, and after a persistent session's journal (or the retained
 * store) kept the message. On the connection's event loop.
 */
final class InboundPublishes implements PublishOrigin<Publish> {
    private final MqttConnection connection;
    private final Session session;
    private final ClientPackets shared;
    private final boolean v5;
    private final AuthorizationCache decisions;
    private final AcknowledgementOrder acks;
    /** Made on the first PUBLISH with a Topic Alias: only clients that use aliases pay for them. */
    private InboundTopicAliases aliases;

    InboundPublishes(MqttConnection connection, Session session, ClientPackets shared,
                     AuthorizationCache decisions) {
        this.connection = connection;
        this.session = session;
        this.shared = shared;
        this.v5 = connection.version().isV5();
        this.decisions = decisions;
        this.acks = new AcknowledgementOrder(connection, shared.mqtt().receiveMaximum(),
                shared.acknowledgementTimeoutSeconds());
    }

    void onPublish(Publish p) {
        MqttProperties props = p.properties();
        String topic = p.topic();
        MqttConfig config = shared.mqtt();
        if (p.qos() > config.maxQos()) {
            connection.protocolViolation(ReasonCode.QOS_NOT_SUPPORTED,
                    "QoS " + p.qos() + " is above the maximum QoS " + config.maxQos() + " [MQTT-3.2.2-11]");
            return;
        }
        if (p.retain() && !config.retainAvailable()) {
            connection.protocolViolation(ReasonCode.RETAIN_NOT_SUPPORTED,
                    "retained messages are not available [MQTT-3.2.2-14]");
            return;
        }
        if (v5) {
            if (props.has(PropertyId.SUBSCRIPTION_IDENTIFIER)) {
                connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "PUBLISH from a client with a subscription identifier [MQTT-3.3.4-6]");
                return;
            }
            if (props.has(PropertyId.TOPIC_ALIAS)) {
                try {
                    if (aliases == null) {
                        aliases = new InboundTopicAliases(config.topicAliasMaximum());
                    }
                    topic = aliases.resolve(topic, (int) props.number(PropertyId.TOPIC_ALIAS, 0));
                } catch (MalformedPacketException e) {
                    connection.protocolViolation(e.reasonCode(), e.getMessage());
                    return;
                }
                props = props.toBuilder().remove(PropertyId.TOPIC_ALIAS).build(); // aliases are per hop
            }
            if (props.number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 0) == 1 && !MqttWire.isUtf8(p.payload())) {
                refusePayload(p, "payload is marked UTF-8 but is not valid UTF-8");
                return;
            }
        }
        if (v5 && UserPropertyLimit.exceeded(props, config)) {
            shared.metrics().refused(BrokerMetrics.Refusal.USER_PROPERTIES);
            connection.protocolViolation(ReasonCode.PACKET_TOO_LARGE, "user properties beyond "
                    + config.maxUserPropertiesBytes() + " characters");
            return;
        }
        if (!config.withinTopicLimits(topic)) {
            shared.metrics().refused(BrokerMetrics.Refusal.TOPIC_LIMITS);
            connection.protocolViolation(ReasonCode.TOPIC_NAME_INVALID, "the topic is longer than "
                    + config.maxTopicLength() + " characters or deeper than " + config.maxTopicLevels() + " levels");
            return;
        }
        if (p.qos() == 2) {
            if (session.inboundQos2().isPending(p.packetId())) {
                // A resend of a message not yet released: acknowledge, do not route again [MQTT-4.3.3-10]; but not
                // before the first copy is kept, if that still waits.
                acknowledge(p, new PubRec(p.packetId(), ReasonCode.SUCCESS, MqttProperties.EMPTY),
                        session.inboundQos2().gate(p.packetId()));
                return;
            }
            if (session.inboundQos2().pending() >= config.receiveMaximum()) {
                connection.protocolViolation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                        "more QoS 2 messages in flight than the receive maximum [MQTT-3.3.4-9]");
                return;
            }
        }
        shared.metrics().messageReceived(p.payload().length);
        Message message = Message.expiring(topic, p.qos(), p.retain(), p.payload(), props, session.clientId(),
                shared.clock());
        shared.publishing().publish(p, message, this);
    }

    // ---- the publish path's answers -------------------------------------------------------------------------

    @Override
    public void accepted(Publish p, Routed routed, CompletableFuture<Void> ackGate) {
        int code = v5 && !routed.matched() ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS;
        switch (p.qos()) {
            case 0 -> { }
            case 1 -> acknowledge(p, new PubAck(p.packetId(), code, MqttProperties.EMPTY),
                    all(ackGate, routed.stored(), null));
            default -> {
                CompletableFuture<Void> idKept = session.inboundQos2().received(p.packetId());
                acknowledge(p, new PubRec(p.packetId(), code, MqttProperties.EMPTY),
                        qos2Gate(p, all(ackGate, routed.stored(), idKept)));
            }
        }
    }

    @Override
    public void dropped(Publish p, InboundInterceptor.InboundOutcome outcome) {
        shared.drops().dropped(DropReason.INTERCEPTED, session.clientId(), p.topic(), p.qos());
        if (p.qos() == 0) {
            return;
        }
        if (outcome.failed() && !v5) {
            // 3.1.1 has no way to say "not accepted": close without an acknowledgement, so that it sends again.
            connection.disconnect(ReasonCode.UNSPECIFIED_ERROR, "an interceptor failed on a PUBLISH to " + p.topic());
            return;
        }
        int code = v5 ? outcome.ackCode() : ReasonCode.SUCCESS;
        MqttProperties why = v5 && outcome.ackReason() != null
                ? MqttProperties.builder().string(PropertyId.REASON_STRING, outcome.ackReason()).build()
                : MqttProperties.EMPTY;
        CompletableFuture<Void> idKept = null;
        if (p.qos() == 2 && !ReasonCode.isError(code)) {
            idKept = session.inboundQos2().received(p.packetId()); // so that its PUBREL completes normally
        }
        MqttPacket ack = p.qos() == 1 ? new PubAck(p.packetId(), code, why) : new PubRec(p.packetId(), code, why);
        CompletableFuture<Void> gate = all(outcome.ackGate(), idKept, null);
        acknowledge(p, ack, p.qos() == 2 && !ReasonCode.isError(code) ? qos2Gate(p, gate) : gate);
    }

    /**
     * A PUBLISH the authorizer refused: not delivered. 5.0 clients learn it from 0x87 in PUBACK/PUBREC (QoS 0 has no
     * answer); 3.1.1 clients are disconnected or get a normal acknowledgement, as {@code mqtt.v3-denied-publish}
     * says.
     */
    @Override
    public void denied(Publish p) {
        shared.drops().dropped(DropReason.NOT_AUTHORIZED, session.clientId(), p.topic(), p.qos());
        String reason = "not authorized to publish to " + p.topic();
        if (!v5 && shared.mqtt().v3DeniedPublishDisconnects()) {
            connection.protocolViolation(ReasonCode.NOT_AUTHORIZED, reason);
            return;
        }
        MqttProperties why = v5 ? MqttProperties.builder().string(PropertyId.REASON_STRING, reason).build()
                : MqttProperties.EMPTY;
        int code = v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.SUCCESS;
        switch (p.qos()) {
            case 0 -> { }
            case 1 -> acks.write(new PubAck(p.packetId(), code, why));
            default -> {
                CompletableFuture<Void> idKept = v5 ? null : session.inboundQos2().received(p.packetId()); // PUBREL then works
                acknowledge(p, new PubRec(p.packetId(), code, why), qos2Gate(p, idKept));
            }
        }
    }

    /** Records what the PUBREC of a QoS 2 message waits for, so that a resend waits for it too. */
    private CompletableFuture<Void> qos2Gate(Publish p, CompletableFuture<Void> gate) {
        if (gate != null) {
            session.inboundQos2().awaiting(p.packetId(), gate);
        }
        return gate;
    }

    /** Sends the acknowledgement now, or when {@code gate} completes; a failed gate refuses the message. */
    private void acknowledge(Publish p, MqttPacket ack, CompletableFuture<Void> gate) {
        if (gate == null) {
            acks.write(ack);
            return;
        }
        acks.writeWhen(gate, ack, error -> {
            if (p.qos() == 2) {
                // The flow ends with the error. On the session's loop: after a takeover this connection's loop is
                // no longer the one the session's state belongs to.
                int packetId = p.packetId();
                session.execute(() -> session.inboundQos2().failed(packetId, gate));
            }
            if (!v5) {
                return null; // close: the client keeps the message and sends it again
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            boolean full = cause instanceof StoreFullException;
            int code = full ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.UNSPECIFIED_ERROR;
            MqttProperties why = MqttProperties.builder().string(PropertyId.REASON_STRING, full
                    ? "the message was not accepted: " + cause.getMessage()
                    : "the message was not accepted: " + cause.getClass().getSimpleName()).build();
            return p.qos() == 1 ? new PubAck(p.packetId(), code, why) : new PubRec(p.packetId(), code, why);
        });
    }

    /** What an acknowledgement waits for: nothing, one thing, or all of them. */
    private static CompletableFuture<Void> all(CompletableFuture<Void> a, CompletableFuture<Void> b,
                                               CompletableFuture<Void> c) {
        int n = (a == null ? 0 : 1) + (b == null ? 0 : 1) + (c == null ? 0 : 1);
        if (n <= 1) {
            return a != null ? a : b != null ? b : c;
        }
        return a == null ? CompletableFuture.allOf(b, c)
                : b == null ? CompletableFuture.allOf(a, c)
                : c == null ? CompletableFuture.allOf(a, b) : CompletableFuture.allOf(a, b, c);
    }

    /** 0x99: QoS 1 and 2 get it in their acknowledgement, QoS 0 (which has none) in a DISCONNECT [3.3.2.3.2]. */
    private void refusePayload(Publish p, String reason) {
        MqttProperties why = MqttProperties.builder().string(PropertyId.REASON_STRING, reason).build();
        switch (p.qos()) {
            case 0 -> connection.protocolViolation(ReasonCode.PAYLOAD_FORMAT_INVALID, reason);
            case 1 -> acks.write(new PubAck(p.packetId(), ReasonCode.PAYLOAD_FORMAT_INVALID, why));
            default -> acks.write(new PubRec(p.packetId(), ReasonCode.PAYLOAD_FORMAT_INVALID, why));
        }
    }

    // ---- the rest of the QoS 2 flows ------------------------------------------------------------------------

    /** PUBREC for a delivery to the client. */
    void onPubRec(PubRec rec) {
        if (!session.outbound().onPubRec(rec.packetId(), rec.reasonCode())) {
            // Nothing waits under this id; tell a 5.0 client so, and let a 3.x client finish its flow.
            connection.write(v5 ? new PubRel(rec.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND,
                    notFound(rec.packetId())) : new PubRel(rec.packetId()));
        }
    }

    /** PUBREL for a message from the client. */
    void onPubRel(PubRel rel) {
        boolean known = session.inboundQos2().released(rel.packetId());
        connection.write(known || !v5 ? new PubComp(rel.packetId())
                : new PubComp(rel.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, notFound(rel.packetId())));
    }

    private static MqttProperties notFound(int packetId) {
        return MqttProperties.builder().string(PropertyId.REASON_STRING,
                "no QoS 2 flow under packet id " + packetId).build();
    }

    ClientPackets shared() {
        return shared;
    }

    long maxSessionExpirySeconds() {
        return shared.mqtt().maxSessionExpirySeconds();
    }

    // ---- PublishOrigin ----------------------------------------------------------------------------------------

    @Override
    public ConnectAttempt client() {
        return connection.client();
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public AuthorizationCache authorizations() {
        return decisions;
    }

    @Override
    public Executor executor() {
        return connection.eventLoop();
    }

    @Override
    public boolean isActive() {
        return connection.isActive();
    }

    @Override
    public void suspendInput() {
        connection.suspendInput();
    }

    @Override
    public void resumeInput() {
        connection.resumeInput();
    }
}
