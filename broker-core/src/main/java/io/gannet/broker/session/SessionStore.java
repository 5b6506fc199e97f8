package io.gannet.broker.session;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where sessions live between connections, by client id. The broker core keeps them in memory
 * ({@link InMemorySessionStore}); the persistence module provides a store whose sessions survive a restart.
 *
 * <p>A session's own state is touched only on its event loop; the store only finds, creates and forgets sessions
 * and is safe to call from any thread.
 */
public interface SessionStore {
    /** Returns the session for {@code clientId}, creating it with {@code factory} when there is none. */
    Session getOrCreate(String clientId, Supplier<Session> factory);

    /** Returns the session for {@code clientId}, or {@code null}. */
    Session get(String clientId);

    /** Forgets {@code session} if it is still the one stored for its client id. */
    void remove(Session session);

    /** The number of sessions, connected or not. */
    int size();

    /** Visits every session; for statistics and shutdown, not for the publish path. */
    void forEach(Consumer<Session> action);
}
