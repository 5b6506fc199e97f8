package io.gannet.broker.connection;

import io.gannet.broker.auth.Authorizer;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.SubAck;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.codec.UnsubAck;
import io.gannet.broker.codec.Unsubscribe;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.publish.PublishOrigin;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.Topics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * SUBSCRIBE and UNSUBSCRIBE of a connected client: each filter authorized (through the same cache and input gate as
 * the client's publishes), checked against what the broker offers, made on the session, answered, and followed by
 * the retained messages it asks for. On the connection's event loop.
 *
 * <p>A persistent session's SUBACK waits until the store keeps its new subscriptions, as a publisher's
 * acknowledgement waits until the store keeps its message: a client that finds its session again after a crash then
 * finds every subscription it was granted. Matching messages may reach it before the SUBACK, as the protocol allows.
 * The answers still go out in the order of the requests.
 */
final class SubscriptionRequests {
    private final MqttConnection connection;
    private final Session session;
    private final ClientPackets shared;
    /** The connection as the authorizer sees it. */
    private final PublishOrigin<?> origin;
    private final boolean v5;
    /** How long a SUBACK waits for the store to keep the subscription before it refuses it. */
    static final long STORE_WAIT_SECONDS = 10;
    /** Answers that wait for an earlier SUBACK, which waits for the store; empty almost always. */
    private final ArrayDeque<Answer> waiting = new ArrayDeque<>(0);

    /**
     * A new subscription of a persistent session, which the SUBACK waits for the store to keep.
     *
     * @param code where its code is in the SUBACK
     * @param kept completes once the store keeps it; fails when it does not, or not within
     *             {@link #STORE_WAIT_SECONDS}
     */
    private record Stored(int code, Subscription subscription, CompletableFuture<Void> kept) {
    }

    /** An answer to write once {@code ready} completes ({@code null}: at once) and every answer before it is out. */
    private record Answer(CompletableFuture<Void> ready, Runnable write) {
    }

    SubscriptionRequests(MqttConnection connection, Session session, ClientPackets shared, PublishOrigin<?> origin) {
        this.connection = connection;
        this.session = session;
        this.shared = shared;
        this.origin = origin;
        this.v5 = connection.version().isV5();
    }

    void onSubscribe(Subscribe subscribe) {
        if (!shared.publishing().authorizes()) {
            subscribe(subscribe, null);
            return;
        }
        // One decision per filter (a shared subscription's with its $share/{group}/ prefix: the authorizer sees
        // the group); the SUBACK waits for all of them.
        authorizeReads(subscribe.subscriptions().stream().map(Subscribe.TopicSubscription::filter).toList(),
                allowed -> subscribe(subscribe, allowed));
    }

    /** Asks whether the client may read each of {@code filters}; {@code then} gets the answers once all are in. */
    private void authorizeReads(List<String> filters, Consumer<boolean[]> then) {
        boolean[] allowed = new boolean[filters.size()];
        int[] waiting = {filters.size()};
        if (filters.isEmpty()) {
            then.accept(allowed);
        }
        for (int i = 0; i < filters.size(); i++) {
            int index = i;
            if (!shared.mqtt().withinFilterLimits(filters.get(i))) {
                // Not even asked: refused for its size later, and no authorizer should have to parse it.
                if (--waiting[0] == 0) {
                    then.accept(allowed);
                }
                continue;
            }
            shared.publishing().whenAuthorized(origin, Authorizer.Action.SUBSCRIBE, filters.get(i), ok -> {
                allowed[index] = ok;
                if (--waiting[0] == 0) {
                    then.accept(allowed);
                }
            });
        }
    }

    /** @param allowed the authorizer's decision per filter, or {@code null} when there is no authorizer */
    private void subscribe(Subscribe subscribe, boolean[] allowed) {
        MqttConfig config = shared.mqtt();
        int subscriptionId = (int) subscribe.properties().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 0);
        if (subscriptionId != 0 && !config.subscriptionIdentifiers()) {
            connection.protocolViolation(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
                    "subscription identifiers are not available (CONNACK said so)");
            return;
        }
        List<Integer> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> sendRetained = new ArrayList<>(1);
        List<Stored> stored = new ArrayList<>(0);
        List<CompletableFuture<Void>> kept = new ArrayList<>(1); // what Session.subscribe hands back, one at a time
        String reason = null;
        for (int i = 0; i < subscribe.subscriptions().size(); i++) {
            Subscribe.TopicSubscription ts = subscribe.subscriptions().get(i);
            if (!config.withinFilterLimits(ts.filter())) {
                shared.metrics().refused(BrokerMetrics.Refusal.TOPIC_LIMITS);
                codes.add(v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
                reason = "the filter is longer than " + config.maxTopicLength() + " characters or deeper than "
                        + config.maxTopicLevels() + " levels";
                continue;
            }
            if (allowed != null && !allowed[i]) {
                codes.add(v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "not authorized to subscribe to " + ts.filter();
                continue;
            }
            SharedSubscriptions.SharedFilter sharedFilter;
            try {
                sharedFilter = SharedSubscriptions.parse(ts.filter());
            } catch (IllegalArgumentException e) {
                codes.add(v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.V3_SUBACK_FAILURE);
                reason = e.getMessage();
                continue;
            }
            String filter = sharedFilter == null ? ts.filter() : sharedFilter.filter();
            if (sharedFilter != null && !config.sharedSubscriptions()) {
                codes.add(v5 ? ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "shared subscriptions are not available";
                continue;
            }
            if (sharedFilter != null && ts.noLocal()) {
                connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "No Local on a shared subscription [MQTT-3.8.3-4]");
                return;
            }
            if (!config.wildcardSubscriptions() && Topics.hasWildcard(filter)) {
                codes.add(v5 ? ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "wildcard subscriptions are not available";
                continue;
            }
            if (session.subscriptions().size() >= shared.sessions().maxSubscriptions()
                    && !session.hasSubscription(sharedFilter == null ? filter
                    : Topics.SHARE_PREFIX + sharedFilter.shareName() + "/" + filter)) {
                shared.metrics().refused(BrokerMetrics.Refusal.SUBSCRIPTIONS);
                codes.add(v5 ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.V3_SUBACK_FAILURE);
                reason = "this session has " + shared.sessions().maxSubscriptions() + " subscriptions already";
                continue;
            }
            int granted = Math.min(ts.qos(), config.maxQos());
            Subscription sub = new Subscription(session, filter, granted, ts.noLocal(), ts.retainAsPublished(),
                    ts.retainHandling(), subscriptionId, sharedFilter == null ? null : sharedFilter.shareName());
            Subscription old = session.subscribe(sub, kept);
            if (!kept.isEmpty()) {
                // Bounded: a cluster node cut off from the majority cannot commit it, and the client must hear,
                // not hang.
                stored.add(new Stored(codes.size(), sub, kept.remove(0).copy().orTimeout(STORE_WAIT_SECONDS,
                        TimeUnit.SECONDS)));
            }
            codes.add(granted);
            // Retained messages are not sent for a shared subscription (spec 4.8.2).
            if (sharedFilter == null && (ts.retainHandling() == 0 || (ts.retainHandling() == 1 && old == null))) {
                sendRetained.add(sub);
            }
        }
        if (stored.isEmpty()) {
            String why = reason;
            answer(null, () -> subscribed(subscribe, codes, why, sendRetained));
            return;
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(stored.stream().map(Stored::kept)
                .toArray(CompletableFuture[]::new));
        String reasonBefore = reason;
        answer(all, () -> {
            // A subscription its store did not keep in time is taken back (the removal is journaled after it, so the
            // store ends without it either way), and refused (0x80): the client must not count on it. Its store
            // failed or is cut off, or another node took the session over (the connection is closing then).
            String why = reasonBefore;
            for (Stored s : stored) {
                if (s.kept().isCompletedExceptionally()) {
                    session.unsubscribe(s.subscription().key());
                    sendRetained.remove(s.subscription());
                    codes.set(s.code(), v5 ? ReasonCode.UNSPECIFIED_ERROR : ReasonCode.V3_SUBACK_FAILURE);
                    why = "the session's store did not keep the subscription";
                }
            }
            subscribed(subscribe, codes, why, sendRetained);
        });
    }

    /** Writes the SUBACK, tells the plugins, and sends the retained messages the subscriptions ask for. */
    private void subscribed(Subscribe subscribe, List<Integer> codes, String reason, List<Subscription> sendRetained) {
        MqttProperties props = v5 && reason != null
                ? MqttProperties.builder().string(PropertyId.REASON_STRING, reason).build() : MqttProperties.EMPTY;
        connection.write(new SubAck(subscribe.packetId(), codes, props));
        if (shared.events().active()) {
            for (int i = 0; i < codes.size(); i++) {
                shared.events().subscribed(connection.client(), subscribe.subscriptions().get(i).filter(),
                        codes.get(i));
            }
        }
        // Retained messages follow the SUBACK, with RETAIN set [MQTT-3.3.1-8].
        for (Subscription sub : sendRetained) {
            int[] ids = sub.subscriptionId() == 0 ? null : new int[] {sub.subscriptionId()};
            if (!shared.publishing().authorizes()) {
                shared.retained().match(sub.filter(), m -> deliverRetained(sub, m, ids));
            } else {
                sendAuthorizedRetained(sub, ids);
            }
        }
    }

    /**
     * The subscriber may read the filter, but not necessarily every topic under it (an authorizer that decides per
     * topic, a deny rule): each retained message is authorized as a read of its own topic, and those allowed are
     * sent in the order the store gave them once every decision is in.
     */
    private void sendAuthorizedRetained(Subscription sub, int[] ids) {
        List<Message> matches = new ArrayList<>();
        shared.retained().match(sub.filter(), matches::add);
        if (matches.isEmpty()) {
            return;
        }
        authorizeReads(matches.stream().map(Message::topic).toList(), allowed -> {
            for (int j = 0; j < allowed.length; j++) {
                if (allowed[j]) {
                    deliverRetained(sub, matches.get(j), ids);
                } else {
                    shared.metrics().refused(BrokerMetrics.Refusal.RETAINED_NOT_AUTHORIZED);
                }
            }
        });
    }

    private void deliverRetained(Subscription sub, Message m, int[] ids) {
        session.deliver(m, Math.min(m.qos(), sub.qos()), true, ids, null, null);
    }

    void onUnsubscribe(Unsubscribe unsubscribe) {
        List<Integer> codes = new ArrayList<>(unsubscribe.filters().size());
        for (String filter : unsubscribe.filters()) {
            boolean existed;
            try {
                SharedSubscriptions.SharedFilter sharedFilter = SharedSubscriptions.parse(filter);
                existed = session.unsubscribe(sharedFilter == null ? filter
                        : Topics.SHARE_PREFIX + sharedFilter.shareName() + "/" + sharedFilter.filter());
            } catch (IllegalArgumentException e) {
                existed = false; // never subscribed: it could not have been
            }
            codes.add(existed ? ReasonCode.SUCCESS : ReasonCode.NO_SUBSCRIPTION_EXISTED);
            if (existed) {
                shared.events().unsubscribed(connection.client(), filter);
            }
        }
        answer(null, () -> connection.write(new UnsubAck(unsubscribe.packetId(), v5 ? codes : List.of(),
                MqttProperties.EMPTY)));
    }

    /**
     * Writes an answer once {@code ready} completes and every answer before it is out: SUBACKs and UNSUBACKs go out
     * in the order of their requests, though a SUBACK may wait for the store. On the event loop.
     */
    private void answer(CompletableFuture<Void> ready, Runnable write) {
        if (waiting.isEmpty() && (ready == null || ready.isDone())) {
            write.run(); // the usual case: nothing waits
            return;
        }
        waiting.add(new Answer(ready, write));
        if (ready != null && !ready.isDone()) {
            ready.whenComplete((ok, error) -> connection.eventLoop().execute(this::writeReady));
        }
        writeReady();
    }

    private void writeReady() {
        Answer next;
        while ((next = waiting.peek()) != null && (next.ready() == null || next.ready().isDone())) {
            waiting.poll();
            next.write().run();
        }
    }
}
