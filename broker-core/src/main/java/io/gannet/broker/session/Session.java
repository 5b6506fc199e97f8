package io.gannet.broker.session;

import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.config.SessionConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.metrics.Drops;
import io.gannet.broker.plugin.PublishInterceptors;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.routing.Message;
import io.gannet.broker.shared.SharedGroup;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.TopicTrie;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.time.Clock;

/**
 * The state MQTT keeps for one client id across connections (section 4.1): subscriptions, messages queued for it,
 * QoS 1 and 2 deliveries in flight in both directions.
 *
 * <p>Threading: a session belongs to one event loop at a time, the loop of its current (or last) connection, and
 * all of its state is touched only there, without locks. Work from other threads is handed over with
 * {@link #execute}. When a client reconnects on another loop, {@link #takeover} moves the session there.
 */
public final class Session {
    private final String clientId;
    private final SessionContext context;
    private volatile EventLoop owner;
    /** Whether a client is attached; read by other loops to pick a shared subscription member, so volatile. */
    private volatile boolean online;
    /** The attached client as it connected, for plugins on other threads; null while offline. */
    private volatile io.gannet.broker.auth.ConnectAttempt onlineClient;

    /** A Session Expiry Interval meaning "never" [3.1.2.11.2]; 3.1.1 persistent sessions have it. */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    // Owned by the event loop 'owner'.
    /** Seconds the session outlives its connection: 0 ends it with the connection. */
    private long expirySeconds;
    private ScheduledFuture<?> expiryTimer;
    /** A will waiting for its Will Delay Interval, or null [3.1.3.2.2]. */
    private Message pendingWill;
    private ScheduledFuture<?> willTimer;
    private boolean ended;
    private ClientLink link;
    private int generation;
    /** The empty {@code Map.of()} until the first SUBSCRIBE: many sessions (publishers, idle devices) never have one. */
    private Map<String, Subscription> subscriptions = Map.of();
    private final MessageQueue queue;
    private InflightWindow inflight;
    private final InboundQos2Ids inboundQos2 = new InboundQos2Ids();
    /** An outbound interceptor's answer is pending: later deliveries queue behind it. */
    private boolean awaitingInterceptor;

    /**
     * The collaborators every session shares.
     *
     * @param willPublisher publishes a will whose delay ran out or whose session ended
     * @param clock         the broker's clock, for message expiry
     * @param drops         where undelivered messages are counted and reported
     * @param interceptors  the plugins' outbound publish interceptors, run before each send
     */
    public record SessionContext(SessionConfig config, int inflightWindow, BrokerMetrics metrics,
                                 TopicTrie<Subscription> trie, SharedSubscriptions shared, SessionStore store,
                                 Consumer<Message> willPublisher, Clock clock,
                                 io.gannet.broker.plugin.EventDispatcher events, Drops drops,
                                 PublishInterceptors interceptors) {
    }

    public Session(String clientId, EventLoop owner, SessionContext context) {
        this.clientId = clientId;
        this.owner = owner;
        this.context = context;
        this.queue = new MessageQueue(context.config().maxQueuedMessages(), context.config().maxQueuedBytes());
    }

    public String clientId() {
        return clientId;
    }

    /** The event loop the session belongs to now. */
    public EventLoop owner() {
        return owner;
    }

    /** Runs {@code task} on the session's event loop, following the session if it moves meanwhile. */
    public void execute(Runnable task) {
        EventLoop loop = owner;
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(() -> execute(task));
        }
    }

    // ---- connection lifecycle -------------------------------------------------------------------------------

    /**
     * Moves the session to {@code newLink}: closes the connection it had, clears its state if {@code cleanStart},
     * and attaches the new connection on that connection's event loop.
     *
     * @param onEnded called on the owner loop if the session ended before the takeover ran; the caller then starts
     *                over with a fresh session
     */
    public void takeover(ClientLink newLink, boolean cleanStart, long newExpirySeconds, Runnable onEnded) {
        execute(() -> {
            if (ended) {
                onEnded.run();
                return;
            }
            cancel(expiryTimer);
            expiryTimer = null;
            if (link != null) {
                ClientLink old = link;
                link = null;
                online = false;
                onlineClient = null;
                old.takenOver(!cleanStart);
            }
            // State survives only in a session that outlives its connection [MQTT-3.1.2-4, MQTT-3.1.2-6].
            boolean resumable = expirySeconds > 0;
            if (pendingWill != null) {
                if (cleanStart || !resumable) {
                    publishPendingWill(); // the old session ends now, before its will's delay
                } else {
                    cancel(willTimer); // reconnected within the delay: no will [MQTT-3.1.3-9]
                    pendingWill = null;
                }
            }
            if (cleanStart || !resumable) {
                clearState();
            }
            boolean present = !cleanStart && resumable;
            expirySeconds = newExpirySeconds;
            int gen = ++generation;
            owner = newLink.eventLoop();
            newLink.eventLoop().execute(() -> attach(newLink, gen, present));
        });
    }

    private void attach(ClientLink newLink, int gen, boolean present) {
        if (!owner.inEventLoop() || gen != generation) {
            // A later takeover overtook this one: the newer connection wins.
            newLink.takenOver(false); // never acknowledged, so it has no will to withhold
            return;
        }
        if (!newLink.isActive()) {
            startExpiry();
            return;
        }
        link = newLink;
        online = true;
        onlineClient = newLink.client();
        if (inflight != null) {
            inflight.limit(newLink.receiveMaximum());
        }
        newLink.attached(this, present);
        if (!present) {
            context.events().sessionCreated(clientId, expirySeconds);
        }
        resendInflight();
        drain();
    }

    /**
     * The connection closed (any reason). A session with expiry 0 ends now; another waits for its client until the
     * expiry interval runs out.
     *
     * @param will             the will to publish (abnormal close), or {@code null}
     * @param willDelaySeconds its Will Delay Interval; 0 publishes it now
     */
    public void detach(ClientLink closed, Message will, long willDelaySeconds) {
        execute(() -> {
            if (link != closed) {
                // Already taken over; the will (if any) goes out now.
                if (will != null) {
                    context.willPublisher().accept(will);
                }
                return;
            }
            link = null;
            online = false;
            onlineClient = null;
            handOverSharedMessages();
            if (will != null) {
                if (willDelaySeconds == 0 || expirySeconds == 0) {
                    context.willPublisher().accept(will);
                } else {
                    pendingWill = will;
                    willTimer = owner.schedule(this::willDelayPassed, willDelaySeconds, TimeUnit.SECONDS);
                }
            }
            startExpiry();
        });
    }

    /** The session is without a connection: end it now, or when its expiry interval runs out. */
    private void startExpiry() {
        if (expirySeconds == 0) {
            end();
        } else if (expirySeconds != NEVER_EXPIRES) {
            expiryTimer = owner.schedule(this::expired, expirySeconds, TimeUnit.SECONDS);
        }
    }

    private void willDelayPassed() {
        willTimer = null;
        if (pendingWill != null && link == null) {
            publishPendingWill();
        }
    }

    private void expired() {
        expiryTimer = null;
        if (link == null && !ended) {
            end();
        }
    }

    private void publishPendingWill() {
        Message will = pendingWill;
        pendingWill = null;
        cancel(willTimer);
        willTimer = null;
        context.willPublisher().accept(will);
    }

    /**
     * A 5.0 DISCONNECT changed the Session Expiry Interval [3.14.2.2.2]. Raising it from 0 is a protocol error the
     * caller has already refused.
     */
    public void expiry(long newExpirySeconds) {
        expirySeconds = newExpirySeconds;
    }

    public long expirySeconds() {
        return expirySeconds;
    }

    /** Ends the session: publishes a pending will, drops subscriptions and queues, and forgets it. */
    private void end() {
        ended = true;
        if (pendingWill != null) {
            publishPendingWill();
        }
        cancel(expiryTimer);
        clearState();
        context.store().remove(this);
        context.events().sessionEnded(clientId);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void clearState() {
        if (!subscriptions.isEmpty()) { // a new session's clean start has none: not even an iterator then
            for (Subscription s : subscriptions.values()) {
                if (s.isShared()) {
                    context.shared().remove(s);
                } else {
                    context.trie().remove(s.filter(), this);
                }
            }
            subscriptions = Map.of();
        }
        queue.clear();
        if (inflight != null) {
            inflight.clear();
        }
        inboundQos2.clear();
    }

    /** Whether a client is attached, readable from any thread (for choosing a shared subscription member). */
    public boolean isOnline() {
        return online;
    }

    public boolean isPersistent() {
        return expirySeconds > 0;
    }

    // ---- subscriptions --------------------------------------------------------------------------------------

    /** Adds or replaces a subscription; returns the one it replaced, or {@code null}. */
    public Subscription subscribe(Subscription subscription) {
        if (subscriptions.isEmpty()) {
            subscriptions = new HashMap<>(4);
        }
        Subscription old = subscriptions.put(subscription.key(), subscription);
        if (subscription.isShared()) {
            context.shared().add(subscription);
        } else {
            context.trie().add(subscription.filter(), subscription);
        }
        return old;
    }

    /**
     * Removes a subscription by the name the client gave it (a filter, or {@code $share/{name}/{filter}});
     * returns whether there was one.
     */
    public boolean unsubscribe(String key) {
        Subscription removed = subscriptions.isEmpty() ? null : subscriptions.remove(key);
        if (removed == null) {
            return false;
        }
        if (removed.isShared()) {
            context.shared().remove(removed);
        } else {
            context.trie().remove(removed.filter(), this);
        }
        return true;
    }

    public Collection<Subscription> subscriptions() {
        return subscriptions.values();
    }

    // ---- outbound delivery ----------------------------------------------------------------------------------

    /**
     * Delivers a message to this session's client at {@code qos}, or queues it. Must run on the owner loop.
     *
     * @param subscriptionIds the 5.0 Subscription Identifiers of the matching subscriptions, or {@code null}
     * @param group           the shared subscription group it came through, or {@code null}
     * @param sharedPayload   the payload in a buffer shared among subscribers, or {@code null}; not released here
     */
    public void deliver(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup group,
                        ByteBuf sharedPayload) {
        if (ended) {
            return;
        }
        if (link == null) {
            if (expirySeconds == 0) {
                return;
            }
            if (qos == 0 && !context.config().queueQos0Offline()) {
                context.drops().dropped(DropReason.QOS0_OFFLINE, clientId, message.topic(), 0);
                return;
            }
            enqueue(message, qos, retain, subscriptionIds, group, false);
            return;
        }
        if (awaitingInterceptor || !queue.isEmpty() || !link.isWritable() || (qos > 0 && inflight().isFull())) {
            enqueue(message, qos, retain, subscriptionIds, group, false);
            return;
        }
        send(message, qos, retain, subscriptionIds, group, sharedPayload, false);
    }

    private void send(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup group,
                      ByteBuf sharedPayload, boolean intercepted) {
        if (message.isExpired(context.clock().millis())) {
            context.drops().dropped(DropReason.EXPIRED, clientId, message.topic(), qos); // [MQTT-3.3.2-5]
            return;
        }
        if (!intercepted && context.interceptors().hasOutbound()) {
            intercept(message, qos, retain, subscriptionIds, group, sharedPayload);
            return;
        }
        int packetId = 0;
        if (qos > 0) {
            packetId = inflight().add(message, qos, retain, subscriptionIds, group).packetId;
        }
        if (!link.writePublish(message, qos, retain, false, packetId, subscriptionIds, sharedPayload)) {
            // Larger than the client accepts: discarded as if delivered [MQTT-3.1.2-25].
            if (qos > 0) {
                inflight.remove(packetId);
            }
            context.drops().dropped(DropReason.TOO_LARGE_FOR_CLIENT, clientId, message.topic(), qos);
        }
    }

    /**
     * Asks the outbound interceptors about one delivery. An answer that is not there at once holds every later
     * delivery of this session (they queue) until it comes, so that messages keep their order.
     */
    private void intercept(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup group,
                           ByteBuf sharedPayload) {
        java.util.concurrent.CompletableFuture<Message> decided =
                context.interceptors().outbound(link.client(), message, qos, retain);
        if (decided.isDone()) {
            sendIntercepted(message, decided.getNow(null), qos, retain, subscriptionIds, group, sharedPayload);
            return;
        }
        awaitingInterceptor = true;
        int gen = generation;
        decided.whenComplete((result, error) -> execute(() -> {
            awaitingInterceptor = false;
            Message decision = error == null ? result : null;
            if (ended) {
                return;
            }
            if (link == null || gen != generation || !link.isWritable()) {
                if (decision != null) { // decided, but the client went (or is slow): keep it, decided, for later
                    queue.pushFront(new MessageQueue.Queued(decision, decision == message ? qos : decision.qos(),
                            decision == message ? retain : decision.retain(), subscriptionIds, group, true));
                }
            } else {
                sendIntercepted(message, decision, qos, retain, subscriptionIds, group, null);
            }
            drain();
        }));
    }

    private void sendIntercepted(Message original, Message decision, int qos, boolean retain, int[] subscriptionIds,
                                 SharedGroup group, ByteBuf sharedPayload) {
        if (decision == null) {
            context.drops().dropped(DropReason.INTERCEPTED, clientId, original.topic(), qos);
        } else if (decision == original) {
            send(original, qos, retain, subscriptionIds, group, sharedPayload, true);
        } else {
            send(decision, decision.qos(), decision.retain(), subscriptionIds, group, null, true);
        }
    }

    private void enqueue(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup group,
                         boolean intercepted) {
        MessageQueue.Queued q = new MessageQueue.Queued(message, qos, retain, subscriptionIds, group, intercepted);
        if (!queue.offer(q, context.config().queueFullPolicy(), context.drops(), clientId) && link != null
                && context.config().queueFullPolicy() == SessionConfig.QueueFullPolicy.DISCONNECT) {
            link.disconnect(ReasonCode.QUOTA_EXCEEDED, "session queue full");
        }
    }

    /** Sends queued messages while the socket is writable and the in-flight window has room. */
    public void drain() {
        while (link != null && !awaitingInterceptor && !queue.isEmpty() && link.isWritable()) {
            MessageQueue.Queued next = queue.peek();
            if (next.qos() > 0 && inflight().isFull()) {
                return;
            }
            queue.poll();
            send(next.message(), next.qos(), next.retain(), next.subscriptionIds(), next.group(), null,
                    next.intercepted());
        }
    }

    /**
     * The client left: QoS 1/2 messages that came through a shared subscription and were not acknowledged go to
     * another connected member of their group (spec 4.8.2 allows this as soon as the connection is lost). When no
     * other member is connected they stay here for this client's return.
     */
    private void handOverSharedMessages() {
        if (inflight != null && !inflight.isEmpty()) {
            List<InflightWindow.Entry> moved = new ArrayList<>();
            inflight.forEach(e -> {
                if (e.group != null && e.stage != InflightWindow.Stage.AWAITING_PUBCOMP && handOver(e.group,
                        e.message, e.qos, e.retain)) {
                    moved.add(e);
                }
            });
            for (InflightWindow.Entry e : moved) {
                inflight.remove(e.packetId);
            }
        }
        if (queue.isEmpty()) {
            return; // most sessions end with nothing queued: no lambda, no iterator
        }
        queue.removeIf(q -> q.group() != null && handOver(q.group(), q.message(), q.qos(), q.retain()));
    }

    private boolean handOver(SharedGroup group, Message message, int qos, boolean retain) {
        Subscription other = group.pick(this);
        if (other == null || !other.session().isOnline()) {
            return false;
        }
        Session target = other.session();
        int[] ids = other.subscriptionId() == 0 ? null : new int[] {other.subscriptionId()};
        int q = Math.min(message.qos(), other.qos());
        target.execute(() -> target.deliver(message, q, retain && other.retainAsPublished(), ids, group, null));
        return true;
    }

    /** Resends unacknowledged deliveries after a reconnect, DUP set, in their original order [MQTT-4.4.0-1]. */
    private void resendInflight() {
        if (inflight == null || inflight.isEmpty()) {
            return;
        }
        inflight.forEach(e -> {
            if (e.stage == InflightWindow.Stage.AWAITING_PUBCOMP) {
                link.write(new PubRel(e.packetId));
            } else {
                link.writePublish(e.message, e.qos, e.retain, true, e.packetId, e.subscriptionIds, null);
            }
        });
    }

    /** PUBACK from the client: the QoS 1 delivery is done. */
    public void onPubAck(int packetId) {
        InflightWindow.Entry e = inflight == null ? null : inflight.find(packetId);
        if (e != null && e.stage == InflightWindow.Stage.AWAITING_PUBACK) {
            inflight.remove(packetId);
            drain();
        }
    }

    /**
     * PUBREC from the client: answer with PUBREL, or end the flow if a 5.0 client refused the message.
     *
     * @return false if no QoS 2 delivery waits for a PUBREC under this id
     */
    public boolean onPubRec(int packetId, int reasonCode) {
        InflightWindow.Entry e = inflight == null ? null : inflight.find(packetId);
        if (e == null || e.qos != 2) {
            return false;
        }
        if (ReasonCode.isError(reasonCode)) {
            inflight.remove(packetId);
            drain();
            return true;
        }
        e.stage = InflightWindow.Stage.AWAITING_PUBCOMP;
        link.write(new PubRel(packetId));
        return true;
    }

    /** PUBCOMP from the client: the QoS 2 delivery is done. */
    public void onPubComp(int packetId) {
        InflightWindow.Entry e = inflight == null ? null : inflight.find(packetId);
        if (e != null && e.stage == InflightWindow.Stage.AWAITING_PUBCOMP) {
            inflight.remove(packetId);
            drain();
        }
    }

    /** Made on the first QoS 1 or 2 delivery: a session that never has one (many do not) never pays for it. */
    private InflightWindow inflight() {
        if (inflight == null) {
            inflight = new InflightWindow(context.inflightWindow());
            if (link != null) {
                inflight.limit(link.receiveMaximum());
            }
        }
        return inflight;
    }

    // ---- inbound QoS 2 ----------------------------------------------------------------------------------------

    /** QoS 2 messages from the client received and not yet released; they survive reconnects [MQTT-4.3.3]. */
    public InboundQos2Ids inboundQos2() {
        return inboundQos2;
    }

    // ---- introspection for tests, $SYS and plugins -----------------------------------------------------------

    /** The attached client, or {@code null} while offline; readable from any thread. */
    public io.gannet.broker.auth.ConnectAttempt connectedClient() {
        return onlineClient;
    }

    /**
     * Closes the attached connection as an administrative action (its will is published); on the owner loop.
     *
     * @param endSession whether the session ends too, instead of waiting for its client's return
     * @return whether a client was connected
     */
    public boolean disconnectClient(String reason, boolean endSession) {
        if (ended) {
            return false;
        }
        if (endSession) {
            expirySeconds = 0;
        }
        if (link == null) {
            if (endSession) {
                end();
            }
            return false;
        }
        link.disconnect(ReasonCode.ADMINISTRATIVE_ACTION, reason);
        return true;
    }

    /** Queued messages; read on the owner loop. */
    public int queuedMessages() {
        return queue.size();
    }

    /** Deliveries awaiting acknowledgement; read on the owner loop. */
    public int inflightMessages() {
        return inflight == null ? 0 : inflight.size();
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
