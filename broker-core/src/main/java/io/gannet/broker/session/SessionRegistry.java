package io.gannet.broker.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The live sessions of this broker by client id, connected or not. It only finds, creates and forgets sessions, and
 * is safe to call from any thread; a session's own state is touched only on its event loop. What outlives the
 * process is the {@link io.gannet.broker.store.SessionStore}'s business, not this map's.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    /**
     * Sessions another broker of the cluster took over and does not host yet, by client id: no longer found by a
     * client that connects here, but still subscribed (see {@link Session#takenOverElsewhere}).
     */
    private final ConcurrentHashMap<String, Session> handingOver = new ConcurrentHashMap<>();

    /** Returns the session for {@code clientId}, creating it with {@code factory} when there is none. */
    public Session getOrCreate(String clientId, Supplier<Session> factory) {
        Session s = sessions.computeIfAbsent(clientId, id -> factory.get());
        endHandOver(clientId);
        return s;
    }

    /** Returns the session for {@code clientId}, or {@code null}. */
    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    /** Adds a session rebuilt at start; false if one with its client id is already here. */
    boolean add(Session session) {
        return sessions.putIfAbsent(session.clientId(), session) == null;
    }

    /**
     * The session of {@code clientId} is here again, or the broker that took it over hosts it now: what was being
     * handed over ends. Here again, its subscriptions are this broker's own once more.
     */
    public void endHandOver(String clientId) {
        Session old = handingOver.get(clientId);
        if (old != null) {
            old.handedOver();
        }
    }

    void handingOver(Session session) {
        handingOver.put(session.clientId(), session);
    }

    void handedOver(Session session) {
        handingOver.remove(session.clientId(), session);
    }

    /** Forgets {@code session} if it is still the one registered for its client id. */
    public void remove(Session session) {
        sessions.remove(session.clientId(), session);
    }

    /** The number of sessions, connected or not. */
    public int size() {
        return sessions.size();
    }

    /** Visits every session; for statistics and shutdown, not for the publish path. */
    public void forEach(Consumer<Session> action) {
        sessions.values().forEach(action);
    }
}
