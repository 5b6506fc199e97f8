package io.gannet.broker.store;

import io.gannet.broker.message.Message;
import java.util.List;

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

    /** Reopens the journal of a session rebuilt from {@code snapshot}; called once per snapshot at start. */
    SessionJournal recovered(SessionSnapshot snapshot);
}
