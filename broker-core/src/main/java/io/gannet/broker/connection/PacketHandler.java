package io.gannet.broker.connection;

import io.gannet.broker.auth.Authorizer;
import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MalformedPacketException;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PingResp;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.SubAck;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.codec.UnsubAck;
import io.gannet.broker.codec.Unsubscribe;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.plugin.PublishInterceptors;
import io.gannet.broker.routing.Message;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The packets of an accepted connection: PUBLISH and its QoS flows in both directions, SUBSCRIBE, UNSUBSCRIBE,
 * PINGREQ, DISCONNECT. Runs on the connection's event loop, which owns the session while the connection is
 * attached.
 */
final class PacketHandler {
    private final MqttConnection connection;
    private final Session session;
    private final BrokerServices services;
    private final boolean v5;
    private final AuthorizationCache decisions;
    private final AcknowledgementOrder acks;

    PacketHandler(MqttConnection connection, Session session, BrokerServices services) {
        this.connection = connection;
        this.session = session;
        this.services = services;
        this.v5 = connection.version() == MqttVersion.V5;
        this.decisions = new AuthorizationCache(services.authorizationEpoch());
        this.acks = new AcknowledgementOrder(connection, services.config().mqtt().receiveMaximum(),
                services.config().plugins().acknowledgementTimeoutSeconds());
    }

    /**
     * Asks the authorizer (through the connection's cache) and continues with {@code then} on the event loop. A
     * decision not available at once suspends the connection's input until it is, so later packets keep their
     * order.
     */
    private void whenDecided(Authorizer.Action action, String topic, Consumer<Boolean> then) {
        Boolean cached = decisions.get(action, topic);
        if (cached != null) {
            then.accept(cached);
            return;
        }
        CompletableFuture<Boolean> f = services.authorizer().authorize(connection.attempt(), action, topic)
                .toCompletableFuture();
        if (f.isDone()) {
            boolean allowed = !f.isCompletedExceptionally() && Boolean.TRUE.equals(f.join());
            decisions.put(action, topic, allowed);
            then.accept(allowed);
            return;
        }
        connection.suspendInput();
        f.whenComplete((ok, error) -> connection.eventLoop().execute(() -> {
            boolean allowed = error == null && Boolean.TRUE.equals(ok);
            decisions.put(action, topic, allowed);
            if (connection.isActive()) {
                then.accept(allowed);
            }
            connection.resumeInput();
        }));
    }

    void handle(MqttPacket packet) {
        switch (packet.type()) {
            case PUBLISH -> onPublish((Publish) packet);
            case PUBACK -> session.onPubAck(((PubAck) packet).packetId());
            case PUBREC -> onPubRec((PubRec) packet);
            case PUBREL -> onPubRel((PubRel) packet);
            case PUBCOMP -> session.onPubComp(((PubComp) packet).packetId());
            case SUBSCRIBE -> onSubscribe((Subscribe) packet);
            case UNSUBSCRIBE -> onUnsubscribe((Unsubscribe) packet);
            case PINGREQ -> connection.write(PingResp.INSTANCE);
            case DISCONNECT -> onDisconnect((Disconnect) packet);
            case AUTH -> connection.onAuth((Auth) packet);
            // Packets only a server sends, and CONNECT (which the decoder stops): protocol errors.
            case CONNECT, CONNACK, SUBACK, UNSUBACK, PINGRESP -> connection.protocolViolation(
                    ReasonCode.PROTOCOL_ERROR, packet.type() + " may not be sent by a client");
        }
    }

    private void onPublish(Publish p) {
        MqttProperties props = p.properties();
        String topic = p.topic();
        MqttConfig config = services.config().mqtt();
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
                    topic = connection.resolveTopic(topic, (int) props.number(PropertyId.TOPIC_ALIAS, 0));
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
        services.metrics().messageReceived(p.payload().length);
        Message message = Message.expiring(topic, p.qos(), p.retain(), p.payload(), props, session.clientId(),
                services.sessionContext().clock().millis());
        if (services.authorizer() == Authorizer.ALLOW_ALL) {
            accept(p, message); // no authorization configured: no question, no allocation
        } else {
            whenDecided(Authorizer.Action.PUBLISH, topic, allowed -> {
                if (allowed) {
                    accept(p, message);
                } else {
                    deny(p);
                }
            });
        }
    }

    private void accept(Publish p, Message message) {
        if (p.qos() == 2) {
            if (session.inboundQos2().isPending(p.packetId())) {
                // A resend of a message not yet released: acknowledge, do not route again [MQTT-4.3.3-10].
                acks.write(new PubRec(p.packetId(), ReasonCode.SUCCESS, MqttProperties.EMPTY));
                return;
            }
            if (session.inboundQos2().pending() >= services.config().mqtt().receiveMaximum()) {
                connection.protocolViolation(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED,
                        "more QoS 2 messages in flight than the receive maximum [MQTT-3.3.4-9]");
                return;
            }
        }
        PublishInterceptors interceptors = services.interceptors();
        if (!interceptors.hasInbound()) {
            deliverAndAcknowledge(p, message, null);
            return;
        }
        CompletableFuture<PublishInterceptors.InboundOutcome> decided =
                interceptors.inbound(connection.attempt(), message);
        if (decided.isDone()) {
            applyInterception(p, decided.join());
            return;
        }
        connection.suspendInput(); // later packets wait, so that messages keep their order
        decided.whenComplete((outcome, error) -> connection.eventLoop().execute(() -> {
            if (connection.isActive()) {
                applyInterception(p, error == null ? outcome : new PublishInterceptors.InboundOutcome(null,
                        ReasonCode.UNSPECIFIED_ERROR, "the message could not be processed", true, null));
            }
            connection.resumeInput();
        }));
    }

    private void applyInterception(Publish p, PublishInterceptors.InboundOutcome outcome) {
        if (!outcome.dropped()) {
            deliverAndAcknowledge(p, outcome.message(), outcome.ackGate());
            return;
        }
        services.sessionContext().drops().dropped(DropReason.INTERCEPTED, session.clientId(), p.topic(), p.qos());
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
        if (p.qos() == 2 && !ReasonCode.isError(code)) {
            session.inboundQos2().received(p.packetId()); // so that its PUBREL completes normally
        }
        MqttPacket ack = p.qos() == 1 ? new PubAck(p.packetId(), code, why) : new PubRec(p.packetId(), code, why);
        acknowledge(p, ack, outcome.ackGate());
    }

    /** Delivers (and retains) the message, then acknowledges it, now or when {@code ackGate} completes. */
    private void deliverAndAcknowledge(Publish p, Message message, CompletableFuture<Void> ackGate) {
        switch (p.qos()) {
            case 0 -> publish(message);
            case 1 -> {
                int delivered = publish(message);
                acknowledge(p, new PubAck(p.packetId(), ackReason(delivered), MqttProperties.EMPTY), ackGate);
            }
            default -> {
                session.inboundQos2().received(p.packetId());
                int delivered = publish(message);
                acknowledge(p, new PubRec(p.packetId(), ackReason(delivered), MqttProperties.EMPTY), ackGate);
            }
        }
    }

    private void acknowledge(Publish p, MqttPacket ack, CompletableFuture<Void> ackGate) {
        if (ackGate == null) {
            acks.write(ack);
            return;
        }
        acks.writeWhen(ackGate, ack, error -> {
            if (p.qos() == 2) {
                session.inboundQos2().released(p.packetId()); // the flow ends with the error
            }
            if (!v5) {
                return null; // close: the client keeps the message and sends it again
            }
            MqttProperties why = MqttProperties.builder().string(PropertyId.REASON_STRING,
                    "the message was not accepted: " + error.getClass().getSimpleName()).build();
            return p.qos() == 1 ? new PubAck(p.packetId(), ReasonCode.UNSPECIFIED_ERROR, why)
                    : new PubRec(p.packetId(), ReasonCode.UNSPECIFIED_ERROR, why);
        });
    }

    /**
     * A PUBLISH the authorizer refused: not delivered. 5.0 clients learn it from 0x87 in PUBACK/PUBREC (QoS 0 has no
     * answer); 3.1.1 clients are disconnected or get a normal acknowledgement, as {@code mqtt.v3-denied-publish}
     * says.
     */
    private void deny(Publish p) {
        services.sessionContext().drops().dropped(DropReason.NOT_AUTHORIZED, session.clientId(), p.topic(), p.qos());
        String reason = "not authorized to publish to " + p.topic();
        if (!v5 && services.config().mqtt().v3DeniedPublishDisconnects()) {
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
                if (!v5) {
                    session.inboundQos2().received(p.packetId()); // so that its PUBREL completes normally
                }
                acks.write(new PubRec(p.packetId(), code, why));
            }
        }
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

    private int publish(Message message) {
        if (message.retain()) {
            services.retained().put(message);
        }
        return services.router().route(message, session);
    }

    private int ackReason(int delivered) {
        return v5 && delivered == 0 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : ReasonCode.SUCCESS;
    }

    private void onPubRec(PubRec rec) {
        if (!session.onPubRec(rec.packetId(), rec.reasonCode())) {
            // Nothing waits under this id; tell a 5.0 client so, and let a 3.x client finish its flow.
            connection.write(v5 ? new PubRel(rec.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND,
                    notFound(rec.packetId())) : new PubRel(rec.packetId()));
        }
    }

    private void onPubRel(PubRel rel) {
        boolean known = session.inboundQos2().released(rel.packetId());
        connection.write(known || !v5 ? new PubComp(rel.packetId())
                : new PubComp(rel.packetId(), ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, notFound(rel.packetId())));
    }

    private static MqttProperties notFound(int packetId) {
        return MqttProperties.builder().string(PropertyId.REASON_STRING,
                "no QoS 2 flow under packet id " + packetId).build();
    }

    private void onSubscribe(Subscribe subscribe) {
        if (services.authorizer() == Authorizer.ALLOW_ALL) {
            subscribe(subscribe, null);
            return;
        }
        // One decision per filter; the SUBACK waits for all of them.
        List<Subscribe.TopicSubscription> subs = subscribe.subscriptions();
        boolean[] allowed = new boolean[subs.size()];
        int[] waiting = {subs.size()};
        for (int i = 0; i < subs.size(); i++) {
            int index = i;
            whenDecided(Authorizer.Action.SUBSCRIBE, authorizedFilter(subs.get(i).filter()), ok -> {
                allowed[index] = ok;
                if (--waiting[0] == 0) {
                    subscribe(subscribe, allowed);
                }
            });
        }
    }

    /** The filter an authorizer judges: a shared subscription without its {@code $share/{group}/} prefix. */
    private static String authorizedFilter(String filter) {
        try {
            SharedSubscriptions.SharedFilter shared = SharedSubscriptions.parse(filter);
            return shared == null ? filter : shared.filter();
        } catch (IllegalArgumentException e) {
            return filter; // refused as invalid anyway
        }
    }

    /** @param allowed the authorizer's decision per filter, or {@code null} when there is no authorizer */
    private void subscribe(Subscribe subscribe, boolean[] allowed) {
        MqttConfig config = services.config().mqtt();
        int subscriptionId = (int) subscribe.properties().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 0);
        if (subscriptionId != 0 && !config.subscriptionIdentifiers()) {
            connection.protocolViolation(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
                    "subscription identifiers are not available (CONNACK said so)");
            return;
        }
        List<Integer> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> sendRetained = new ArrayList<>(1);
        String reason = null;
        for (int i = 0; i < subscribe.subscriptions().size(); i++) {
            Subscribe.TopicSubscription ts = subscribe.subscriptions().get(i);
            if (allowed != null && !allowed[i]) {
                codes.add(v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "not authorized to subscribe to " + ts.filter();
                continue;
            }
            SharedSubscriptions.SharedFilter shared;
            try {
                shared = SharedSubscriptions.parse(ts.filter());
            } catch (IllegalArgumentException e) {
                codes.add(v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
                reason = e.getMessage();
                continue;
            }
            String filter = shared == null ? ts.filter() : shared.filter();
            if (shared != null && !config.sharedSubscriptions()) {
                codes.add(v5 ? ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "shared subscriptions are not available";
                continue;
            }
            if (shared != null && ts.noLocal()) {
                connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "No Local on a shared subscription [MQTT-3.8.3-4]");
                return;
            }
            if (!config.wildcardSubscriptions() && Topics.hasWildcard(filter)) {
                codes.add(v5 ? ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "wildcard subscriptions are not available";
                continue;
            }
            int granted = Math.min(ts.qos(), config.maxQos());
            Subscription sub = new Subscription(session, filter, granted, ts.noLocal(), ts.retainAsPublished(),
                    ts.retainHandling(), subscriptionId, shared == null ? null : shared.shareName());
            Subscription old = session.subscribe(sub);
            codes.add(granted);
            // Retained messages are not sent for a shared subscription (spec 4.8.2).
            if (shared == null && (ts.retainHandling() == 0 || (ts.retainHandling() == 1 && old == null))) {
                sendRetained.add(sub);
            }
        }
        MqttProperties props = v5 && reason != null
                ? MqttProperties.builder().string(PropertyId.REASON_STRING, reason).build() : MqttProperties.EMPTY;
        connection.write(new SubAck(subscribe.packetId(), codes, props));
        if (services.events().active()) {
            for (int i = 0; i < codes.size(); i++) {
                services.events().subscribed(connection.attempt(), subscribe.subscriptions().get(i).filter(),
                        codes.get(i));
            }
        }
        // Retained messages follow the SUBACK, with RETAIN set [MQTT-3.3.1-8].
        for (Subscription sub : sendRetained) {
            int[] ids = sub.subscriptionId() == 0 ? null : new int[] {sub.subscriptionId()};
            services.retained().match(sub.filter(),
                    m -> session.deliver(m, Math.min(m.qos(), sub.qos()), true, ids, null, null));
        }
    }

    private void onUnsubscribe(Unsubscribe unsubscribe) {
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        for (String filter : unsubscribe.filters()) {
            boolean existed;
            try {
                SharedSubscriptions.SharedFilter shared = SharedSubscriptions.parse(filter);
                existed = session.unsubscribe(shared == null ? filter
                        : Topics.SHARE_PREFIX + shared.shareName() + "/" + shared.filter());
            } catch (IllegalArgumentException e) {
                existed = false; // never subscribed: it could not have been
            }
            codes.add(existed ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED);
            if (existed) {
                services.events().unsubscribed(connection.attempt(), filter);
            }
        }
        connection.write(new UnsubAck(unsubscribe.packetId(), v5 ? codes : List.of(), MqttProperties.EMPTY));
    }

    private void onDisconnect(Disconnect disconnect) {
        if (v5 && disconnect.properties().has(PropertyId.SESSION_EXPIRY_INTERVAL)) {
            long requested = disconnect.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0);
            if (session.expirySeconds() == 0 && requested > 0) {
                connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "DISCONNECT raises the Session Expiry Interval from 0 [MQTT-3.14.2-2]");
                return;
            }
            session.expiry(Math.min(requested, services.config().mqtt().maxSessionExpirySeconds()));
        }
        connection.clientDisconnected(disconnect);
    }
}
