package io.gannet.broker.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The session store of a broker without persistence: a concurrent map, lost on restart. */
public final class InMemorySessionStore implements SessionStore {
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    @Override
    public Session getOrCreate(String clientId, Supplier<Session> factory) {
        return sessions.computeIfAbsent(clientId, id -> factory.get());
    }

    @Override
    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public void remove(Session session) {
        sessions.remove(session.clientId(), session);
    }

    @Override
    public int size() {
        return sessions.size();
    }

    @Override
    public void forEach(Consumer<Session> action) {
        sessions.values().forEach(action);
    }
}
