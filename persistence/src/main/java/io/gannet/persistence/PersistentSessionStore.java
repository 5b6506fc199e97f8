package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionJournal;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.SessionStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sessions kept in the journal: hands the recovered ones to the core once, and gives every persistent session
 * a {@link PersistentSessionJournal} under a key of its own (unique across restarts, so that no entry of an ended
 * session is ever taken for a new one's).
 */
final class PersistentSessionStore implements SessionStore {
    private final JournalWriter writer;
    private final AtomicLong keys;
    private final Map<String, Long> recoveredKeys = new HashMap<>();
    private List<SessionSnapshot> recovered;

    PersistentSessionStore(JournalWriter writer, LiveState state) {
        this.writer = writer;
        this.keys = new AtomicLong(state.maxKey());
        this.recovered = state.sessionSnapshots();
        for (SessionSnapshot s : recovered) {
            recoveredKeys.put(s.clientId(), state.keyOf(s.clientId()));
        }
    }

    @Override
    public List<SessionSnapshot> recoverSessions() {
        List<SessionSnapshot> out = recovered;
        recovered = List.of(); // handed over once; the core holds them from now on
        return out;
    }

    @Override
    public SessionJournal created(String clientId, SessionOwner owner, long expirySeconds, Message will,
                                  long willDelaySeconds) {
        long key = keys.incrementAndGet();
        writer.submit(new JournalOp.Created(key, clientId, owner, expirySeconds, will, willDelaySeconds));
        return new PersistentSessionJournal(key, writer);
    }

    @Override
    public SessionJournal recovered(SessionSnapshot snapshot) {
        Long key = recoveredKeys.remove(snapshot.clientId());
        if (key == null) {
            throw new IllegalArgumentException("no recovered session of client " + snapshot.clientId());
        }
        return new PersistentSessionJournal(key, writer);
    }
}
