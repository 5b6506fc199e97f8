package io.gannet.broker.session;

import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.config.SessionConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.routing.Message;
import io.gannet.broker.topic.TopicTrie;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    // Owned by the event loop 'owner'.
    private boolean persistent;
    private boolean ended;
    private ClientLink link;
    private int generation;
    private final Map<String, Subscription> subscriptions = new HashMap<>(4);
    private final MessageQueue queue;
    private InflightWindow inflight;
    private BitSet inboundQos2;
    private int inboundQos2Count;

    /** The collaborators every session shares: config, metrics and the subscription index. */
    public record SessionContext(SessionConfig config, int inflightWindow, BrokerMetrics metrics,
                                 TopicTrie<Subscription> trie, SessionStore store) {
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
    public void takeover(ClientLink newLink, boolean cleanStart, boolean newPersistent, Runnable onEnded) {
        execute(() -> {
            if (ended) {
                onEnded.run();
                return;
            }
            if (link != null) {
                ClientLink old = link;
                link = null;
                old.takenOver();
            }
            // State survives only in a persistent session [MQTT-3.1.2-4, MQTT-3.1.2-6].
            boolean resumable = persistent;
            if (cleanStart || !resumable) {
                clearState();
            }
            boolean present = !cleanStart && resumable;
            persistent = newPersistent;
            int gen = ++generation;
            owner = newLink.eventLoop();
            newLink.eventLoop().execute(() -> attach(newLink, gen, present));
        });
    }

    private void attach(ClientLink newLink, int gen, boolean present) {
        if (!owner.inEventLoop() || gen != generation) {
            // A later takeover overtook this one: the newer connection wins.
            newLink.takenOver();
            return;
        }
        if (!newLink.isActive()) {
            if (!persistent) {
                end();
            }
            return;
        }
        link = newLink;
        newLink.attached(this, present);
        resendInflight();
        drain();
    }

    /** The connection closed (any reason). A clean session ends now; a persistent one waits for its client. */
    public void detach(ClientLink closed) {
        execute(() -> {
            if (link != closed) {
                return; // already taken over by another connection
            }
            link = null;
            if (!persistent) {
                end();
            }
        });
    }

    /** Ends the session: drops its subscriptions and queues and forgets it. */
    private void end() {
        ended = true;
        clearState();
        context.store().remove(this);
    }

    private void clearState() {
        for (Subscription s : subscriptions.values()) {
            context.trie().remove(s.filter(), this);
        }
        subscriptions.clear();
        queue.clear();
        if (inflight != null) {
            inflight.clear();
        }
        inboundQos2 = null;
        inboundQos2Count = 0;
    }

    public boolean isConnected() {
        return link != null;
    }

    public boolean isPersistent() {
        return persistent;
    }

    // ---- subscriptions --------------------------------------------------------------------------------------

    /** Adds or replaces a subscription; returns the one it replaced, or {@code null}. */
    public Subscription subscribe(Subscription subscription) {
        Subscription old = subscriptions.put(subscription.filter(), subscription);
        context.trie().add(subscription.filter(), subscription);
        return old;
    }

    /** Removes a subscription; returns whether there was one. */
    public boolean unsubscribe(String filter) {
        if (subscriptions.remove(filter) == null) {
            return false;
        }
        context.trie().remove(filter, this);
        return true;
    }

    public Collection<Subscription> subscriptions() {
        return subscriptions.values();
    }

    // ---- outbound delivery ----------------------------------------------------------------------------------

    /**
     * Delivers a message to this session's client at {@code qos}, or queues it. Must run on the owner loop.
     *
     * @param sharedPayload the payload in a buffer shared among subscribers, or {@code null}; not released here
     */
    public void deliver(Message message, int qos, boolean retain, ByteBuf sharedPayload) {
        if (ended) {
            return;
        }
        if (link == null) {
            if (!persistent) {
                return;
            }
            if (qos == 0 && !context.config().queueQos0Offline()) {
                context.metrics().dropped(DropReason.QOS0_OFFLINE);
                return;
            }
            enqueue(message, qos, retain);
            return;
        }
        if (!queue.isEmpty() || !link.isWritable() || (qos > 0 && inflight().isFull())) {
            enqueue(message, qos, retain);
            return;
        }
        send(message, qos, retain, sharedPayload);
    }

    private void send(Message message, int qos, boolean retain, ByteBuf sharedPayload) {
        int packetId = 0;
        if (qos > 0) {
            packetId = inflight().add(message, qos, retain).packetId;
        }
        link.writePublish(message, qos, retain, false, packetId, sharedPayload);
    }

    private void enqueue(Message message, int qos, boolean retain) {
        int size = message.payload().length;
        if (!queue.canEverHold(size)) {
            context.metrics().dropped(DropReason.TOO_LARGE_FOR_QUEUE);
            return;
        }
        if (!queue.hasRoomFor(size)) {
            // QoS 0 goes first: the new one if it is QoS 0, else the oldest queued QoS 0 message.
            if (qos == 0) {
                context.metrics().dropped(DropReason.QUEUE_FULL);
                return;
            }
            while (!queue.hasRoomFor(size) && queue.removeOldestQos0()) {
                context.metrics().dropped(DropReason.QUEUE_FULL);
            }
            if (!queue.hasRoomFor(size)) {
                switch (context.config().queueFullPolicy()) {
                    case DROP_NEWEST -> {
                        context.metrics().dropped(DropReason.QUEUE_FULL);
                        return;
                    }
                    case DROP_OLDEST -> {
                        while (!queue.hasRoomFor(size)) {
                            queue.poll();
                            context.metrics().dropped(DropReason.QUEUE_FULL);
                        }
                    }
                    case DISCONNECT -> {
                        context.metrics().dropped(DropReason.QUEUE_FULL);
                        if (link != null) {
                            link.disconnect(ReasonCode.QUOTA_EXCEEDED, "session queue full");
                        }
                        return;
                    }
                }
            }
        }
        queue.add(new MessageQueue.Queued(message, qos, retain));
    }

    /** Sends queued messages while the socket is writable and the in-flight window has room. */
    public void drain() {
        while (link != null && !queue.isEmpty() && link.isWritable()) {
            MessageQueue.Queued next = queue.peek();
            if (next.qos() > 0 && inflight().isFull()) {
                return;
            }
            queue.poll();
            send(next.message(), next.qos(), next.retain(), null);
        }
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
                link.writePublish(e.message, e.qos, e.retain, true, e.packetId, null);
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

    private InflightWindow inflight() {
        if (inflight == null) {
            inflight = new InflightWindow(context.inflightWindow());
        }
        return inflight;
    }

    // ---- inbound QoS 2 ----------------------------------------------------------------------------------------

    /**
     * Records a QoS 2 PUBLISH from the client. Returns true if it is new and must be routed, false if it is a
     * redelivery of a message already received and not yet released (it must not be routed again [MQTT-4.3.3-10]).
     */
    public boolean inboundQos2Received(int packetId) {
        if (inboundQos2 == null) {
            inboundQos2 = new BitSet();
        }
        if (inboundQos2.get(packetId)) {
            return false;
        }
        inboundQos2.set(packetId);
        inboundQos2Count++;
        return true;
    }

    /** Whether a QoS 2 message under this packet id was received and not yet released. */
    public boolean inboundQos2Pending(int packetId) {
        return inboundQos2 != null && inboundQos2.get(packetId);
    }

    /** How many QoS 2 messages from the client await PUBREL. */
    public int inboundQos2Pending() {
        return inboundQos2Count;
    }

    /** PUBREL from the client: forget the packet id. Returns whether it was known. */
    public boolean inboundQos2Released(int packetId) {
        if (inboundQos2 == null || !inboundQos2.get(packetId)) {
            return false;
        }
        inboundQos2.clear(packetId);
        inboundQos2Count--;
        return true;
    }

    // ---- introspection for tests and $SYS ---------------------------------------------------------------------

    /** Queued messages; read on the owner loop. */
    public int queuedMessages() {
        return queue.size();
    }

    /** Deliveries awaiting acknowledgement; read on the owner loop. */
    public int inflightMessages() {
        return inflight == null ? 0 : inflight.size();
    }

    /** The protocol version of the attached connection, or {@code null} when offline. */
    public MqttVersion connectedVersion() {
        return link == null ? null : link.version();
    }

    /** The filters this session subscribes to; read on the owner loop. */
    public List<String> filters() {
        return new ArrayList<>(subscriptions.keySet());
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
