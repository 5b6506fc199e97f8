package io.gannet.broker.store;

import io.gannet.broker.message.Message;
import java.util.List;

/** The session store of a broker without persistence: sessions live in memory only and are gone at a restart. */
public final class InMemorySessionStore implements SessionStore {
    @Override
    public List<SessionSnapshot> recoverSessions() {
        return List.of();
    }

    @Override
    public SessionJournal created(String clientId, SessionOwner owner, long expirySeconds, Message will,
                                  long willDelaySeconds) {
        return SessionJournal.NONE;
    }

    @Override
    public SessionJournal recovered(SessionSnapshot snapshot) {
        return SessionJournal.NONE;
    }
}
