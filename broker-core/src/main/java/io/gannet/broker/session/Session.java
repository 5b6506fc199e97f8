package io.gannet.broker.session;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionJournal;
import io.gannet.broker.store.SessionOwner;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The state MQTT keeps for one client id across connections (section 4.1): subscriptions, messages queued for it,
 * QoS 1 and 2 deliveries in flight in both directions. This class keeps the session's life (takeover, detach, will,
 * expiry, end) and hands the rest to its parts: {@link SessionSubscriptions}, {@link OutboundFlow},
 * {@link InboundQos2Ids} and {@link SessionTimers}. A persistent session reports every change to its
 * {@link SessionJournal}.
 *
 * <p>Threading: a session belongs to one event loop at a time, the loop of its current (or last) connection, and
 * all of its state is touched only there, without locks. Work from other threads is handed over with
 * {@link #execute}. When a client reconnects on another loop, {@link #takeover} moves the session there.
 */
public final class Session {
    /** A Session Expiry Interval meaning "never" [3.1.2.11.2]; 3.1.1 persistent sessions have it. */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;
    /**
     * The longest a session taken over by another broker holds its subscriptions here, should that broker never say
     * it hosts the session (it died meanwhile, or its word was lost).
     */
    static final long HAND_OVER_DEADLINE_SECONDS = 10;

    private final String clientId;
    private final SessionContext context;
    private volatile EventLoop owner;
    /** Whether a client is attached; read by other loops to pick a shared subscription member, so volatile. */
    private volatile boolean online;
    /** The attached client as it connected, for plugins on other threads; null while offline. */
    private volatile ConnectAttempt onlineClient;
    /** The client last attached (or, recovered from a store, who it was): the publisher of the session's will. */
    private ConnectAttempt lastClient;
    /**
     * Whether the session has a journal that keeps it: read by routing on other loops, which makes a publisher's
     * acknowledgement wait for this session's journal only then.
     */
    private volatile boolean durable;

    // Owned by the event loop 'owner'.
    private SessionJournal journal = SessionJournal.NONE;
    /** A clean session's kept will, where a store keeps one (see {@code SessionStore.createdWithWill}). */
    private SessionJournal cleanJournal = SessionJournal.NONE;
    /** Seconds the session outlives its connection: 0 ends it with the connection. */
    private long expirySeconds;
    private boolean ended;
    /**
     * Taken over by another broker of the cluster that does not host it yet: its subscriptions stay here meanwhile,
     * and a QoS 1 or 2 message that reaches it fails, so that its publisher sends it again (see
     * {@link #takenOverElsewhere}).
     */
    private boolean handingOver;
    /**
     * Ended because another broker hosts it now, its client having resumed it there. A QoS 1 or 2 message that still
     * reaches it was routed to it before it left, by routes that may not know its new broker: it fails, as during
     * the handover, so that its publisher sends it again. 'durable' stays true for the same reason: routing on other
     * loops waits for this session's answer.
     */
    private boolean movedAway;
    private ScheduledFuture<?> handOverDeadline;
    private ClientLink link;
    /** When the last client attached, by this broker's clock; 0 for one rebuilt from a store and not attached since. */
    private long attachedAtMillis;
    /** Who the session belongs to: the identity of the client that created it; null until one attaches. */
    private SessionOwner belongsTo;
    private int generation;
    private final SessionTimers timers = new SessionTimers(this);
    private final SessionSubscriptions subscriptions;
    private final OutboundFlow outbound;
    private final InboundQos2Ids inboundQos2 = new InboundQos2Ids(this);

    public Session(String clientId, EventLoop owner, SessionContext context) {
        this.clientId = clientId;
        this.owner = owner;
        this.context = context;
        this.subscriptions = new SessionSubscriptions(this, context.index());
        this.outbound = new OutboundFlow(this, context);
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
     * and attaches the new connection on that connection's event loop. A client of another identity than the one the
     * session belongs to is refused instead, and the session and its connection are left as they were: a client id
     * alone never gives access to someone else's messages and subscriptions, nor throws them off.
     *
     * @param onEnded called on the owner loop if the session ended before the takeover ran; the caller then starts
     *                over with a fresh session
     */
    public void takeover(ClientLink newLink, boolean cleanStart, long newExpirySeconds, Runnable onEnded) {
        execute(() -> {
            if (ended || handingOver) {
                onEnded.run();
                return;
            }
            if (belongsTo != null && !belongsTo.admits(newLink.owner())) {
                newLink.eventLoop().execute(() -> newLink.refused("client id in use by another identity"));
                return;
            }
            timers.cancelExpiry();
            if (link != null) {
                ClientLink old = link;
                goOffline();
                old.takenOver(!cleanStart);
            }
            // State survives only in a session that outlives its connection [MQTT-3.1.2-4, MQTT-3.1.2-6].
            boolean present = !cleanStart && expirySeconds > 0;
            if (timers.hasPendingWill()) {
                if (present) {
                    timers.takePendingWill(); // reconnected within the delay: no will [MQTT-3.1.3-9]
                    journal.willCleared();
                } else {
                    publishPendingWill(); // the old session ends now, before its will's delay
                }
            }
            if (!present) {
                closeJournal(false);
                clearState();
            }
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
        attachedAtMillis = context.clock().millis();
        belongsTo = newLink.owner();
        online = true;
        onlineClient = newLink.client();
        lastClient = onlineClient;
        if (present) {
            if (durable) {
                journal.resumed(newLink.owner(), expirySeconds, newLink.will(), newLink.willDelaySeconds());
            }
        } else if (expirySeconds > 0) {
            openJournal(context.store().created(clientId, newLink.owner(), expirySeconds, newLink.will(),
                    newLink.willDelaySeconds()));
        } else if (newLink.will() != null) {
            cleanJournal = context.store().createdWithWill(clientId, newLink.owner(), newLink.will(),
                    newLink.willDelaySeconds());
        }
        outbound.attached(newLink);
        newLink.attached(this, present);
        context.store().attached(clientId, attachedAtMillis, present);
        if (!present) {
            context.events().sessionCreated(clientId, expirySeconds);
        }
        outbound.resendInflight(newLink);
        outbound.drain();
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
                    context.wills().publishWill(will, closed.client());
                }
                return;
            }
            goOffline();
            outbound.handOverSharedMessages();
            long now = context.clock().millis();
            journal.disconnected(now);
            if (will != null && willDelaySeconds > 0 && expirySeconds > 0) {
                timers.willIn(will, willDelaySeconds * 1000);
                journal.willPending(will, now + willDelaySeconds * 1000);
            } else {
                journal.willCleared();
                if (will != null) {
                    context.wills().publishWill(will, closed.client());
                }
            }
            startExpiry();
        });
    }

    /**
     * The broker is stopping and closed the connection: the session goes offline and starts no clock. A will with a
     * delay stays pending in the journal, due its delay after now, so that a store that keeps the session publishes
     * it after the next start unless the client resumes first; a will without one is withheld, as a stopping broker
     * publishes no wills, and so is a clean session's.
     */
    public void detachAtShutdown(ClientLink closed, Message will, long willDelaySeconds) {
        execute(() -> {
            if (link != closed) {
                return;
            }
            goOffline();
            long now = context.clock().millis();
            journal.disconnected(now);
            if (will != null && willDelaySeconds > 0 && expirySeconds > 0) {
                journal.willPending(will, now + willDelaySeconds * 1000);
            } else {
                journal.willCleared();
            }
            // Nor does another broker publish it for this one: what was kept of a clean session goes.
            cleanJournal.ended(false);
            cleanJournal = SessionJournal.NONE;
        });
    }

    private void goOffline() {
        link = null;
        online = false;
        onlineClient = null;
    }

    /** The session is without a connection: end it now, or when its expiry interval runs out. */
    private void startExpiry() {
        if (expirySeconds == 0) {
            end(false);
        } else if (expirySeconds != NEVER_EXPIRES) {
            timers.expireIn(expirySeconds * 1000);
        }
    }

    /** The will's delay ran out while no client resumed the session. */
    void willDue() {
        if (link == null && timers.hasPendingWill()) {
            publishPendingWill();
        }
    }

    /** The expiry interval ran out while no client was connected. */
    void expired() {
        if (link == null && !ended) {
            end(true);
        }
    }

    private void publishPendingWill() {
        Message will = timers.takePendingWill();
        journal.willCleared();
        context.wills().publishWill(will, lastClient);
    }

    /**
     * A 5.0 DISCONNECT changed the Session Expiry Interval [3.14.2.2.2]. Raising it from 0 is a protocol error the
     * caller has already refused.
     */
    public void expiry(long newExpirySeconds) {
        expirySeconds = newExpirySeconds;
        journal.expiryChanged(newExpirySeconds);
    }

    public long expirySeconds() {
        return expirySeconds;
    }

    /** Ends the session: publishes a pending will, drops subscriptions and queues, and forgets it. */
    private void end(boolean expired) {
        ended = true;
        if (timers.hasPendingWill()) {
            publishPendingWill();
        }
        timers.cancelExpiry();
        closeJournal(expired);
        clearState();
        context.registry().remove(this);
        context.events().sessionEnded(clientId);
    }

    private void clearState() {
        clearState(true);
    }

    /** @param messagesDropped whether the queued and in-flight messages count as dropped, not gone elsewhere */
    private void clearState(boolean messagesDropped) {
        subscriptions.clear();
        outbound.clear(messagesDropped);
        inboundQos2.clear();
    }

    /** From now on the session's changes go to {@code newJournal}. */
    void openJournal(SessionJournal newJournal) {
        journal = newJournal;
        durable = newJournal != SessionJournal.NONE;
    }

    /** The session's state ends here: the journal hears so and nothing more. */
    private void closeJournal(boolean expired) {
        if (durable) {
            journal.ended(expired);
        }
        openJournal(SessionJournal.NONE);
        cleanJournal.ended(false);
        cleanJournal = SessionJournal.NONE;
    }

    /** Whether a client is attached, readable from any thread (for choosing a shared subscription member). */
    public boolean isOnline() {
        return online;
    }

    public boolean isPersistent() {
        return expirySeconds > 0;
    }

    /** Whether a journal keeps this session, so that an acknowledgement must wait for it; any thread. */
    public boolean isDurable() {
        return durable;
    }

    // ---- subscriptions --------------------------------------------------------------------------------------

    /**
     * Adds or replaces a subscription; returns the one it replaced, or {@code null}.
     *
     * @param kept gets what the SUBACK must wait for: the journal keeping the subscription, when it has not yet
     */
    public Subscription subscribe(Subscription subscription, List<CompletableFuture<Void>> kept) {
        return subscriptions.add(subscription, kept);
    }

    /**
     * Removes a subscription by the name the client gave it (a filter, or {@code $share/{name}/{filter}});
     * returns whether there was one.
     */
    public boolean unsubscribe(String key) {
        return subscriptions.remove(key);
    }

    public Collection<Subscription> subscriptions() {
        return subscriptions.all();
    }

    /** Whether the session has a subscription of this key (a filter, or {@code $share/{group}/{filter}}). */
    public boolean hasSubscription(String key) {
        return subscriptions.has(key);
    }

    // ---- messages to the client -----------------------------------------------------------------------------

    /**
     * Delivers a message to this session's client at {@code qos}, or queues it. Must run on the owner loop.
     *
     * @param subscriptionIds the 5.0 Subscription Identifiers of the matching subscriptions, or {@code null}
     * @param group           the shared subscription group it came through, or {@code null}
     * @param sharedPayload   the payload in a buffer shared among subscribers, or {@code null}; not released here
     * @return what the publisher's acknowledgement must wait for, or {@code null} when nothing
     */
    public CompletableFuture<Void> deliver(Message message, int qos, boolean retain, int[] subscriptionIds,
                                           ShareGroup group, ByteBuf sharedPayload) {
        return outbound.deliver(message, qos, retain, subscriptionIds, group, sharedPayload);
    }

    /** QoS 2 messages from the client received and not yet released. */
    public InboundQos2Ids inboundQos2() {
        return inboundQos2;
    }

    // ---- for the parts, tests, $SYS and plugins ---------------------------------------------------------------

    ClientLink link() {
        return link;
    }

    SessionJournal journal() {
        return journal;
    }

    int generation() {
        return generation;
    }

    boolean isEnded() {
        return ended;
    }

    /** Whether the session ended because another broker hosts it now (see {@link #movedAway}). */
    boolean hasMovedAway() {
        return movedAway;
    }

    SessionContext context() {
        return context;
    }

    SessionTimers timers() {
        return timers;
    }

    SessionSubscriptions subscriptionSet() {
        return subscriptions;
    }

    /** What the session sends its client: deliveries, their queue and their QoS flows. */
    public OutboundFlow outbound() {
        return outbound;
    }

    void restoreExpiry(long seconds) {
        expirySeconds = seconds;
    }

    void restoreOwner(SessionOwner owner) {
        belongsTo = owner;
        lastClient = new ConnectAttempt(clientId, owner.username(), null, null, null, null, java.util.List.of());
    }

    /** The client last attached, or who it was when the session was recovered (then without a listener). */
    public ConnectAttempt lastClient() {
        return lastClient;
    }

    /** The attached client, or {@code null} while offline; readable from any thread. */
    public ConnectAttempt connectedClient() {
        return onlineClient;
    }

    /**
     * Another broker of the cluster took the session over: its client connected there. The connection here, if any,
     * is closed with 0x8E as on a takeover here, its delayed will withdrawn when the client resumed the session
     * there; the session's state is forgotten here without a word to its journal, which belongs to the other broker
     * now.
     *
     * <p>A resumed persistent session is handed over rather than dropped at once, unless the other broker hosts it
     * already: until that broker has rebuilt it and the cluster routes its filters there, a message for it published
     * here, or routed here by a node that has not caught up, would otherwise be acknowledged with no broker keeping
     * it. So its subscriptions stay, and a QoS 1 or 2 message that reaches it fails (its publisher sends it again)
     * until {@link #handedOver} or {@link #HAND_OVER_DEADLINE_SECONDS}.
     *
     * @param resumed     whether the client resumed the session there, rather than starting clean
     * @param hostedThere whether the other broker hosts the session already, its routes known to the cluster
     */
    public void takenOverElsewhere(boolean resumed, boolean hostedThere) {
        execute(() -> {
            if (ended || handingOver) {
                if (hostedThere) {
                    handedOver();
                }
                return;
            }
            boolean handOver = resumed && !hostedThere && durable;
            journal = SessionJournal.NONE;
            cleanJournal = SessionJournal.NONE; // the other broker's session replaced what was kept of this one
            timers.cancelExpiry();
            if (timers.hasPendingWill()) {
                Message will = timers.takePendingWill();
                if (!resumed) {
                    context.wills().publishWill(will, lastClient); // its session ends with the clean start there
                }
            }
            if (link != null) {
                ClientLink old = link;
                goOffline();
                old.takenOver(resumed);
            }
            context.registry().remove(this);
            if (handOver) {
                handingOver = true; // 'durable' stays: routing on other loops must wait for this session's answer
                outbound.clear(false); // its messages went with it; its subscriptions stay until handedOver()
                inboundQos2.clear();
                context.registry().handingOver(this);
                handOverDeadline = owner.schedule(this::handedOver, HAND_OVER_DEADLINE_SECONDS, TimeUnit.SECONDS);
            } else {
                // Its subscriptions go first, while messages that reach it still fail: see handedOver().
                clearState(!resumed); // resumed there: its messages went with it
                ended = true;
                movedAway = resumed && durable;
                durable = movedAway;
            }
        });
    }

    /**
     * The broker that took this session over hosts it now, and the cluster routes its filters there: the session
     * ends here. Any thread.
     */
    public void handedOver() {
        execute(() -> {
            if (!handingOver) {
                return;
            }
            // Its subscriptions go first, while the messages that reach it still fail: the index hears of each as it
            // goes, and a cluster notes it for the messages other nodes routed by older routes, before any message
            // that reaches the session can pass as kept.
            clearState();
            handingOver = false;
            ended = true;
            movedAway = true;
            handOverDeadline.cancel(false);
            context.registry().handedOver(this);
        });
    }

    /**
     * A client of this session's id connected to another broker of the cluster at {@code atMillis}. If this
     * session's client attached before that, it is the older connection: it is closed with 0x8E, as a takeover here
     * would close it [MQTT-3.1.4-3], and the session ends (its will, if due, goes out). A persistent session the
     * other broker's client resumed is left alone: it moves through the store, which hands it over.
     *
     * @param newSession whether the client there started a new session
     * @param winsTies   whether, for the same millisecond, the other connection counts as the newer
     */
    public void connectedElsewhere(long atMillis, boolean newSession, boolean winsTies) {
        execute(() -> {
            boolean newer = attachedAtMillis > atMillis || (attachedAtMillis == atMillis && !winsTies);
            if (ended || handingOver || newer || (durable && !newSession)) {
                return;
            }
            if (link != null) {
                ClientLink old = link;
                goOffline();
                old.takenOver(false);
            }
            end(false);
        });
    }

    /** Whether the session is being handed over to another broker (see {@link #takenOverElsewhere}). */
    boolean isHandingOver() {
        return handingOver;
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
            expiry(0);
        }
        if (link == null) {
            if (endSession) {
                end(false);
            }
            return false;
        }
        link.disconnect(ReasonCode.ADMINISTRATIVE_ACTION, reason);
        return true;
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
