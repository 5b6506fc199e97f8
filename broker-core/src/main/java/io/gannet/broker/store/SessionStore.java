package io.gannet.broker.store;

import io.gannet.broker.message.Message;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The port through which persistent sessions outlive the broker process: the core reports each session's changes to
 * its {@link SessionJournal} and, at the next start, rebuilds the sessions from the snapshots the store hands back.
 * {@link InMemorySessionStore} keeps nothing; the persistence and cluster modules provide stores that keep them.
 */
public interface SessionStore {
    /**
     * The sessions to rebuild. Called once, at start, before any listener opens and before any other call.
     */
    List<SessionSnapshot> recoverSessions();

    /**
     * A persistent session begins: a new one, or a clean start of one that existed. Called on the session's event
     * loop; the returned journal receives the session's later changes.
     *
     * @param will             the will of the connection that created it, or {@code null}
     * @param willDelaySeconds that will's delay
     */
    SessionJournal created(String clientId, SessionOwner owner, long expirySeconds, Message will,
                           long willDelaySeconds);

    /**
     * A clean session (expiry 0) begins with a will. Nothing of a clean session outlives its connection, but its will
     * must still go out if this broker dies under the connection: a store shared by a cluster keeps the session with
     * its will, so that the broker that adopts this one's sessions publishes it. The returned journal hears only of
     * the session's {@link SessionJournal#ended end}. By default nothing is kept: a lone broker's process takes the
     * wills of its clean sessions with it, as it takes their connections. Called on the session's event loop.
     */
    default SessionJournal createdWithWill(String clientId, SessionOwner owner, Message will,
                                           long willDelaySeconds) {
        return SessionJournal.NONE;
    }

    /**
     * Reopens the journal of a session rebuilt from {@code snapshot}: once per snapshot at start, and once for each
     * session {@link #claim} hands over.
     */
    SessionJournal recovered(SessionSnapshot snapshot);

    /**
     * Whether the sessions this store keeps are shared with other brokers (a cluster's), so that a client's session
     * may be on another broker when it connects here: the broker then {@link #claim}s it before it looks for one of
     * its own.
     */
    default boolean isShared() {
        return false;
    }

    /**
     * Makes this broker the owner of {@code clientId}'s session, for a client that connected here to resume it. The
     * broker that had it hears of it, closes its connection with reason 0x8E and forgets it (see
     * {@link #onTakenOver}). Called on the connection's event loop; completes on any thread.
     *
     * @return the session as it stands, to be rebuilt here; empty when there is none, or when this broker owns it
     *         already; failed when the store cannot decide now (the broker then refuses the client with 0x88)
     */
    default CompletableFuture<Optional<SessionSnapshot>> claim(String clientId) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /**
     * A session that {@link #claim} handed over is rebuilt here, its subscriptions in place: the broker that had it
     * may let it go (see {@link TakenOver#hosted}). Called on the session's event loop.
     */
    default void hosting(String clientId) {
    }

    /**
     * A client attached to its session here, at {@code atMillis} by this broker's clock: a store shared by a cluster
     * tells the other brokers, which close an older connection of the same client id (see
     * {@link TakenOver#connectedElsewhere}). Called on the session's event loop.
     *
     * @param sessionPresent whether the client resumed a session, rather than starting a new one
     */
    default void attached(String clientId, long atMillis, boolean sessionPresent) {
    }

    /**
     * Who to tell when another broker takes over a session this one holds. Set once, before {@link #recoverSessions}.
     */
    default void onTakenOver(TakenOver listener) {
    }

    /**
     * Who to hand the sessions this broker is to host from now on without their clients: those another broker of the
     * cluster owned when it was found down. The broker rebuilds them as it does at start, clocks and wills
     * included. Set once, before {@link #recoverSessions}; called on a thread of the store's that may wait.
     */
    default void onAdopted(Consumer<List<SessionSnapshot>> host) {
    }

    /**
     * Hears that another broker took over a session. A session its client resumed there is handed over: it stays
     * subscribed here, keeping nothing, until the other broker hosts it, so that a message for it in the meantime
     * fails rather than be acknowledged with no broker keeping it.
     */
    interface TakenOver {
        /**
         * Called on any thread.
         *
         * @param resumed     whether the client resumed the session there, rather than starting clean
         * @param hostedThere whether the other broker hosts it already, with its routes known to the cluster
         */
        void takenOver(String clientId, boolean resumed, boolean hostedThere);

        /** The broker that took the session over hosts it now: its handing over here ends. Called on any thread. */
        void hosted(String clientId);

        /**
         * A client of this id connected to another broker at {@code atMillis} (that broker's clock): a connection
         * of the id here that is older is closed with 0x8E, as a takeover here would [MQTT-3.1.4-3]. Its session
         * ends with it if the other one started a new session (a persistent session resumed there moves through the
         * store instead). Called on any thread.
         *
         * @param winsTies whether, for the same millisecond, the other broker's connection counts as the newer
         */
        void connectedElsewhere(String clientId, long atMillis, boolean newSession, boolean winsTies);
    }
}
