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

    /** Returns the session for {@code clientId}, creating it with {@code factory} when there is none. */
    public Session getOrCreate(String clientId, Supplier<Session> factory) {
        return sessions.computeIfAbsent(clientId, id -> factory.get());
    }

    /** Returns the session for {@code clientId}, or {@code null}. */
    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    /** Adds a session rebuilt at start; false if one with its client id is already here. */
    boolean add(Session session) {
        return sessions.putIfAbsent(session.clientId(), session) == null;
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
