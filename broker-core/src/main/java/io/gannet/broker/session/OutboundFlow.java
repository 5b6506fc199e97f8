package io.gannet.broker.session;

import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.config.SessionConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.store.InflightMessage;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.StoreFullException;
import io.gannet.broker.store.StoredMessage;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Everything a session sends its client: a message is written at once when it can be, else queued; QoS 1 and 2
 * deliveries stay in the in-flight window until the client acknowledges them, and are sent again, DUP set, after a
 * reconnect. The outbound interceptors are asked before each send. A persistent session's journal hears of every
 * message that reaches, moves in and leaves the session. Touched only on the session's event loop.
 */
public final class OutboundFlow implements MessageQueue.DropListener {
    /** One instance: it has no stack trace, and says only which limit refused the message. */
    private static final StoreFullException OVER_BUDGET = new StoreFullException(
            "the broker's memory for queued messages (sessions.max-queued-bytes-total) is used up");
    /** One instance: a session handing over to another broker of the cluster keeps nothing (see {@link Session}). */
    private static final IllegalStateException MOVED = new IllegalStateException(
            "a persistent session it was routed to is moving to another node of the cluster");

    private final Session session;
    private final SessionContext context;
    private final MessageQueue queue;
    /** Made on the first QoS 1 or 2 delivery: a session that never has one (many do not) never pays for it. */
    private InflightWindow inflight;
    /** An outbound interceptor's answer is pending: later deliveries queue behind it. */
    private boolean awaitingInterceptor;
    /** The number the next message that reaches the session gets. */
    private long nextSeq;

    OutboundFlow(Session session, SessionContext context) {
        this.session = session;
        this.context = context;
        this.queue = new MessageQueue(context.config().maxQueuedMessages(), context.config().maxQueuedBytes(),
                context.budget());
    }

    /**
     * Delivers a message to the client at {@code qos}, or queues it.
     *
     * @param sharedPayload the payload in a buffer shared among subscribers, or {@code null}; not released here
     * @return what the publisher's acknowledgement must wait for (the journal keeping a QoS 1 or 2 message of a
     *         persistent session), or {@code null} when nothing
     */
    public CompletableFuture<Void> deliver(Message message, int qos, boolean retain, int[] subscriptionIds,
                                           ShareGroup group, ByteBuf sharedPayload) {
        ClientLink link = session.link();
        if (session.isEnded() || (link == null && !session.isPersistent())) {
            if (session.hasMovedAway()) {
                // Routed here before the session left for another broker, by routes that may not know that one.
                return movedElsewhere(message, qos);
            }
            context.drops().dropped(DropReason.SESSION_ENDED, session.clientId(), message.topic(), qos);
            return null;
        }
        if (link == null) {
            if (session.isHandingOver()) {
                // Taken over by another broker that does not host it yet: not kept here, nor there yet.
                return movedElsewhere(message, qos);
            }
            if (qos == 0 && !context.config().queueQos0Offline()) {
                context.drops().dropped(DropReason.QOS0_OFFLINE, session.clientId(), message.topic(), 0);
                return null;
            }
            return enqueue(new Delivery(nextSeq++, message, qos, retain, subscriptionIds, group, false));
        }
        if (awaitingInterceptor || !queue.isEmpty() || !link.isWritable() || (qos > 0 && window().isFull())) {
            return enqueue(new Delivery(nextSeq++, message, qos, retain, subscriptionIds, group, false));
        }
        if (qos == 0) {
            sendQos0(link, message, retain, subscriptionIds, sharedPayload);
            return null;
        }
        Delivery d = new Delivery(nextSeq++, message, qos, retain, subscriptionIds, group, false);
        if (session.isDurable() && !context.interceptors().hasOutbound()) {
            return sendJournaled(link, d, sharedPayload);
        }
        CompletableFuture<Void> kept = journalQueued(d);
        if (refused(kept, d)) {
            return kept;
        }
        send(link, d, sharedPayload);
        return kept;
    }

    /**
     * A message for a session that another broker took over: counted, and for QoS 1 and 2 failed, so that its
     * publisher sends it again by routes that know the session's new broker.
     */
    private CompletableFuture<Void> movedElsewhere(Message message, int qos) {
        context.drops().dropped(DropReason.SESSION_MOVED, session.clientId(), message.topic(), qos);
        return qos == 0 ? null : CompletableFuture.failedFuture(MOVED);
    }

    /**
     * Sends a persistent session's new message at once, journaled as queued and sent in one event: the usual path
     * of a client that keeps up, which costs a store one event where queuing it first costs two.
     */
    private CompletableFuture<Void> sendJournaled(ClientLink link, Delivery d, ByteBuf sharedPayload) {
        if (d.message.isExpired(context.clock())) {
            dropped(d, DropReason.EXPIRED, false); // [MQTT-3.3.2-5]; never journaled
            return null;
        }
        int packetId = window().add(d).packetId;
        CompletableFuture<Void> kept = session.journal().queuedAndSent(d.stored(), packetId);
        if (refused(kept, d)) {
            inflight.remove(packetId);
            return kept;
        }
        write(link, d, packetId, sharedPayload);
        return kept.isDone() ? null : kept;
    }

    /**
     * Writes {@code d} under {@code packetId} (0 for QoS 0); one larger than the client accepts is discarded as if
     * delivered [MQTT-3.1.2-25], its in-flight slot freed and the drop journaled.
     *
     * @return whether it was written
     */
    private boolean write(ClientLink link, Delivery d, int packetId, ByteBuf sharedPayload) {
        if (link.writePublish(d.message, d.qos, d.retain, false, packetId, d.subscriptionIds, sharedPayload)) {
            return true;
        }
        if (packetId != 0) {
            inflight.remove(packetId);
        }
        drop(d, DropReason.TOO_LARGE_FOR_CLIENT);
        return false;
    }

    /** The allocation-free path of the most common delivery: QoS 0 to a client that keeps up. */
    private void sendQos0(ClientLink link, Message message, boolean retain, int[] subscriptionIds, ByteBuf payload) {
        if (message.isExpired(context.clock())) {
            context.drops().dropped(DropReason.EXPIRED, session.clientId(), message.topic(), 0); // [MQTT-3.3.2-5]
        } else if (context.interceptors().hasOutbound()) {
            intercept(link, new Delivery(nextSeq++, message, 0, retain, subscriptionIds, null, false), payload);
        } else if (!link.writePublish(message, 0, retain, false, 0, subscriptionIds, payload)) {
            context.drops().dropped(DropReason.TOO_LARGE_FOR_CLIENT, session.clientId(), message.topic(), 0);
        }
    }

    private void send(ClientLink link, Delivery d, ByteBuf sharedPayload) {
        if (d.message.isExpired(context.clock())) {
            drop(d, DropReason.EXPIRED); // [MQTT-3.3.2-5]
            return;
        }
        if (!d.intercepted && context.interceptors().hasOutbound()) {
            intercept(link, d, sharedPayload);
            return;
        }
        int packetId = d.qos > 0 ? window().add(d).packetId : 0;
        if (!write(link, d, packetId, sharedPayload)) {
            return;
        }
        if (session.isDurable()) {
            if (d.qos > 0) {
                session.journal().sent(d.seq, packetId);
            } else {
                session.journal().removed(d.seq);
            }
        }
    }

    /**
     * Asks the outbound interceptors about one delivery. An answer that is not there at once holds every later
     * delivery of this session (they queue) until it comes, so that messages keep their order.
     */
    private void intercept(ClientLink link, Delivery d, ByteBuf sharedPayload) {
        CompletableFuture<Message> decided = context.interceptors().outbound(link.client(), d.message, d.qos, d.retain);
        if (decided.isDone()) {
            sendIntercepted(link, d, decided.isCompletedExceptionally() ? null : decided.join(), sharedPayload);
            return;
        }
        awaitingInterceptor = true;
        int generation = session.generation();
        decided.whenComplete((result, error) -> session.execute(() -> {
            awaitingInterceptor = false;
            if (session.isEnded()) {
                return;
            }
            Message decision = error == null ? result : null;
            ClientLink now = session.link();
            if (now == null || generation != session.generation() || !now.isWritable()) {
                if (decision == null) {
                    drop(d, DropReason.INTERCEPTED);
                } else { // decided, but the client went (or is slow): keep it, decided, for later
                    queue.pushFront(decided(d, decision));
                }
            } else {
                sendIntercepted(now, d, decision, null);
            }
            drain();
        }));
    }

    private void sendIntercepted(ClientLink link, Delivery d, Message decision, ByteBuf sharedPayload) {
        if (decision == null) {
            drop(d, DropReason.INTERCEPTED);
        } else {
            send(link, decided(d, decision), decision == d.message ? sharedPayload : null);
        }
    }

    /** The delivery as the interceptors decided it: the same message, or their replacement with its QoS and flag. */
    private static Delivery decided(Delivery d, Message decision) {
        boolean same = decision == d.message;
        return new Delivery(d.seq, decision, same ? d.qos : decision.qos(), same ? d.retain : decision.retain(),
                d.subscriptionIds, d.group, true);
    }

    private CompletableFuture<Void> enqueue(Delivery d) {
        MessageQueue.Offer offer = queue.offer(d, context.config().queueFullPolicy(), this);
        if (offer == MessageQueue.Offer.OVER_BUDGET) {
            context.drops().dropped(DropReason.QUEUE_MEMORY, session.clientId(), d.message.topic(), d.qos);
            // The publisher of a QoS 1 or 2 message learns it (0x97), as when a store is full.
            return d.qos == 0 ? null : CompletableFuture.failedFuture(OVER_BUDGET);
        }
        if (offer == MessageQueue.Offer.DROPPED) {
            ClientLink link = session.link();
            if (link != null && context.config().queueFullPolicy() == SessionConfig.QueueFullPolicy.DISCONNECT) {
                link.disconnect(ReasonCode.QUOTA_EXCEEDED, "session queue full");
            }
            return null;
        }
        if (d.qos == 0) {
            return null;
        }
        CompletableFuture<Void> kept = journalQueued(d);
        if (refused(kept, d)) {
            queue.removeLast(d);
        }
        return kept;
    }

    /**
     * Whether the journal refused the message at once (its store is full): the session then does not keep it
     * either, and the publisher learns of the refusal from {@code kept}.
     */
    private boolean refused(CompletableFuture<Void> kept, Delivery d) {
        if (kept == null || !kept.isCompletedExceptionally()) {
            return false;
        }
        context.drops().dropped(DropReason.STORE_FULL, session.clientId(), d.message.topic(), d.qos);
        return true;
    }

    /** Journals a message that reached a persistent session; returns what an acknowledgement waits for, or null. */
    private CompletableFuture<Void> journalQueued(Delivery d) {
        if (!session.isDurable()) {
            return null;
        }
        CompletableFuture<Void> kept = session.journal().queued(d.stored());
        return kept.isDone() && !kept.isCompletedExceptionally() ? null : kept;
    }

    /** Counts a message the queue dropped; journals it when it had been queued. */
    @Override
    public void dropped(Delivery d, DropReason reason, boolean wasQueued) {
        context.drops().dropped(reason, session.clientId(), d.message.topic(), d.qos);
        if (wasQueued) {
            journalRemoved(d);
        }
    }

    /** Counts a delivery that reached the session and will not be sent, and tells the journal. */
    private void drop(Delivery d, DropReason reason) {
        dropped(d, reason, true);
    }

    private boolean journalRemoved(Delivery d) {
        if (session.isDurable()) {
            session.journal().removed(d.seq);
        }
        return true;
    }

    /** Sends queued messages while the socket is writable and the in-flight window has room. */
    public void drain() {
        ClientLink link;
        while ((link = session.link()) != null && !awaitingInterceptor && !queue.isEmpty() && link.isWritable()) {
            Delivery next = queue.peek();
            if (next.qos > 0 && window().isFull()) {
                return;
            }
            queue.poll();
            send(link, next, null);
        }
    }

    // ---- the outbound QoS 1 and 2 flows ------------------------------------------------------------------------

    /** A client attached: the window follows its Receive Maximum. */
    void attached(ClientLink link) {
        if (inflight != null) {
            inflight.limit(link.receiveMaximum());
        }
    }

    /** Resends unacknowledged deliveries after a reconnect, DUP set, in their original order [MQTT-4.4.0-1]. */
    void resendInflight(ClientLink link) {
        if (inflight == null || inflight.isEmpty()) {
            return;
        }
        List<Delivery> tooLarge = null;
        for (Delivery e : inflight.inOrder()) {
            if (e.stage == Delivery.Stage.AWAITING_PUBCOMP) {
                link.write(new PubRel(e.packetId));
            } else if (!link.writePublish(e.message, e.qos, e.retain, true, e.packetId, e.subscriptionIds, null)) {
                // The new connection's Maximum Packet Size is smaller than the one it was sent under: discarded as
                // if delivered [MQTT-3.1.2-25], and its slot freed, or the window would shrink for good.
                if (tooLarge == null) {
                    tooLarge = new ArrayList<>();
                }
                tooLarge.add(e);
            }
        }
        if (tooLarge != null) {
            for (Delivery e : tooLarge) {
                inflight.remove(e.packetId);
                drop(e, DropReason.TOO_LARGE_FOR_CLIENT);
            }
            drain();
        }
    }

    /** PUBACK from the client: the QoS 1 delivery is done. */
    public void onPubAck(int packetId) {
        Delivery e = inflight == null ? null : inflight.find(packetId);
        if (e != null && e.stage == Delivery.Stage.AWAITING_PUBACK) {
            inflight.remove(packetId);
            if (session.isDurable()) {
                session.journal().pubAckReceived(packetId);
            }
            drain();
        }
    }

    /**
     * PUBREC from the client: answer with PUBREL, or end the flow if a 5.0 client refused the message.
     *
     * @return false if no QoS 2 delivery waits for a PUBREC under this id
     */
    public boolean onPubRec(int packetId, int reasonCode) {
        Delivery e = inflight == null ? null : inflight.find(packetId);
        if (e == null || e.qos != 2) {
            return false;
        }
        if (ReasonCode.isError(reasonCode)) {
            inflight.remove(packetId);
            journalRemoved(e);
            drain();
            return true;
        }
        e.stage = Delivery.Stage.AWAITING_PUBCOMP;
        if (session.isDurable()) {
            session.journal().pubRecReceived(packetId);
        }
        session.link().write(new PubRel(packetId));
        return true;
    }

    /** PUBCOMP from the client: the QoS 2 delivery is done. */
    public void onPubComp(int packetId) {
        Delivery e = inflight == null ? null : inflight.find(packetId);
        if (e != null && e.stage == Delivery.Stage.AWAITING_PUBCOMP) {
            inflight.remove(packetId);
            if (session.isDurable()) {
                session.journal().pubCompReceived(packetId);
            }
            drain();
        }
    }

    private InflightWindow window() {
        if (inflight == null) {
            inflight = new InflightWindow(context.inflightWindow());
            ClientLink link = session.link();
            if (link != null) {
                inflight.limit(link.receiveMaximum());
            }
        }
        return inflight;
    }

    // ---- shared subscriptions -------------------------------------------------------------------------------

    /**
     * The client left: messages that came through a shared subscription go to another connected member of their
     * group, queued ones and QoS 1 ones in flight (spec 4.8.2 allows this as soon as the connection is lost). A QoS 2
     * message that was sent stays for this client's return [MQTT-4.8.2-4], and so does everything when no other
     * member is connected.
     */
    void handOverSharedMessages() {
        if (inflight != null && !inflight.isEmpty()) {
            List<Delivery> moved = new ArrayList<>();
            for (Delivery e : inflight.inOrder()) {
                // A QoS 2 message once sent stays: its delivery must complete with this client [MQTT-4.8.2-4].
                if (e.group != null && e.qos == 1 && handOver(e)) {
                    moved.add(e);
                }
            }
            for (Delivery e : moved) {
                inflight.remove(e.packetId);
                journalRemoved(e);
            }
        }
        if (queue.isEmpty()) {
            return; // most sessions end with nothing queued: no lambda, no iterator
        }
        queue.removeIf(q -> q.group != null && handOver(q) && journalRemoved(q));
    }

    private boolean handOver(Delivery d) {
        Subscription other = d.group.pick(session);
        if (other == null || !other.session().isOnline()) {
            return false;
        }
        Session target = other.session();
        int[] ids = other.subscriptionId() == 0 ? null : new int[] {other.subscriptionId()};
        int qos = Math.min(d.message.qos(), other.qos());
        boolean retain = d.retain && other.retainAsPublished();
        target.execute(() -> target.deliver(d.message, qos, retain, ids, d.group, null));
        return true;
    }

    // ---- state as a whole -----------------------------------------------------------------------------------

    /**
     * Forgets every queued and in-flight message, each counted as dropped, without journal events: the session's
     * state goes as a whole (it ended, or a clean start replaced it).
     */
    void clear() {
        clear(true);
    }

    /**
     * Forgets the queued and in-flight messages, counting them as dropped unless they went with the session to
     * another broker of the cluster, which keeps them ({@code dropped} false).
     */
    void clear(boolean dropped) {
        if (!queue.isEmpty()) {
            for (Delivery d; (d = queue.poll()) != null; ) {
                if (dropped) {
                    context.drops().dropped(DropReason.SESSION_ENDED, session.clientId(), d.message.topic(), d.qos);
                }
            }
        }
        if (inflight != null && !inflight.isEmpty()) {
            if (dropped) {
                for (Delivery d : inflight.inOrder()) {
                    context.drops().dropped(DropReason.SESSION_ENDED, session.clientId(), d.message.topic(), d.qos);
                }
            }
            inflight.clear();
        }
    }

    /** Puts back the queued and in-flight messages of a recovered session, as they were, limits aside. */
    void restore(SessionSnapshot snapshot) {
        nextSeq = snapshot.nextSeq();
        for (InflightMessage m : snapshot.inflight()) {
            window().restore(delivery(m.delivery()), m.packetId(), m.released());
        }
        for (StoredMessage m : snapshot.queued()) {
            queue.add(delivery(m));
        }
    }

    private Delivery delivery(StoredMessage m) {
        ShareGroup group = null;
        if (m.sharedGroup() != null) {
            String rest = m.sharedGroup().substring("$share/".length());
            int slash = rest.indexOf('/');
            group = context.index().sharedGroup(rest.substring(0, slash), rest.substring(slash + 1));
        }
        return new Delivery(m.seq(), m.message(), m.qos(), m.retain(), m.subscriptionIds(), group, false);
    }

    /** Messages waiting to be sent; read on the session's loop. */
    public int queued() {
        return queue.size();
    }

    /** Deliveries awaiting acknowledgement; read on the session's loop. */
    public int inflightCount() {
        return inflight == null ? 0 : inflight.size();
    }
}
