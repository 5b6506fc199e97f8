package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.InflightMessage;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.agrona.collections.Hashing;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * What the journal holds that is still alive: every persistent session with its subscriptions, messages and QoS 2
 * state, and the retained messages. Replay builds it from the journal; the writer keeps it current with each entry
 * it writes, and compaction writes it out as the snapshot that starts a new segment. Messages are the core's own
 * immutable objects, shared, so the state costs little beyond its maps. Touched by one thread at a time: the
 * replaying thread at start, then the writer thread.
 */
final class LiveState {
    /** A rough size of a session's own entries (creation, subscriptions) in a snapshot, for the compaction trigger. */
    private static final int SESSION_BYTES = 128;

    // Looked up for nearly every entry the writer applies: a primitive-keyed table, no boxed key and no node to
    // follow. Its order is the table's, which no reader depends on.
    private final Long2ObjectHashMap<SessionState> sessions =
            new Long2ObjectHashMap<>(16, Hashing.DEFAULT_LOAD_FACTOR, false); // iterators not shared
    private final Map<String, SessionState> byClientId = new HashMap<>();
    private final Map<String, Retained> retained = new LinkedHashMap<>();
    private SessionState lastSession;
    private long maxKey;
    private long messageBytes;
    private long retainedBytes;
    private long messages;

    private record Retained(Message message, int recordBytes) {
    }

    /** One persistent session as the journal knows it. */
    static final class SessionState {
        final long key;
        final String clientId;
        SessionOwner owner;
        long expirySeconds;
        long disconnectedAtMillis;
        Message will;
        long willDelaySeconds;
        long willDueAtMillis;
        long nextSeq;
        final Map<String, SubscriptionRecord> subscriptions = new LinkedHashMap<>();
        final HeldMessages messages = new HeldMessages();
        final LinkedHashSet<Integer> inboundQos2 = new LinkedHashSet<>();

        SessionState(long key, String clientId) {
            this.key = key;
            this.clientId = clientId;
        }
    }

    SessionState session(long key) {
        // Runs of entries name the same session (a deep queue draining): no boxed key and no map walk for those.
        SessionState last = lastSession;
        if (last != null && last.key == key) {
            return last;
        }
        SessionState s = sessions.get(key);
        if (s != null) {
            lastSession = s;
        }
        return s;
    }

    void created(JournalOp.Created c) {
        SessionState old = byClientId.remove(c.clientId());
        if (old != null) { // a clean start replaced it
            forget(old);
        }
        SessionState s = new SessionState(c.key(), c.clientId());
        s.owner = c.owner();
        s.expirySeconds = c.expirySeconds();
        s.will = c.will();
        s.willDelaySeconds = c.willDelaySeconds();
        sessions.put(c.key(), s);
        byClientId.put(c.clientId(), s);
        maxKey = Math.max(maxKey, c.key());
    }

    void ended(long key) {
        SessionState s = session(key);
        if (s != null) {
            byClientId.remove(s.clientId, s);
            forget(s);
        }
    }

    private void forget(SessionState s) {
        sessions.remove(s.key);
        if (lastSession == s) {
            lastSession = null;
        }
        messageBytes -= s.messages.bytes();
        messages -= s.messages.size();
    }

    void queued(long key, StoredMessage message, int recordBytes) {
        SessionState s = session(key);
        if (s == null) {
            return;
        }
        int replaced = s.messages.add(message, recordBytes);
        if (replaced >= 0) {
            messageBytes -= replaced;
            messages--;
        }
        messageBytes += recordBytes;
        messages++;
        s.nextSeq = Math.max(s.nextSeq, message.seq() + 1);
    }

    void removed(long key, long seq) {
        SessionState s = session(key);
        if (s == null) {
            return;
        }
        drop(s.messages.removeSeq(seq));
    }

    void acknowledged(long key, int packetId) {
        SessionState s = session(key);
        if (s == null) {
            return;
        }
        drop(s.messages.removePacket(packetId));
    }

    /** Counts out a removed message of {@code recordBytes}, or nothing for -1 (it was not held). */
    private void drop(int recordBytes) {
        if (recordBytes >= 0) {
            messageBytes -= recordBytes;
            messages--;
        }
    }

    void retained(Message message, int recordBytes) {
        Retained old = retained.put(message.topic(), new Retained(message, recordBytes));
        retainedBytes += recordBytes - (old == null ? 0 : old.recordBytes);
    }

    void retainedCleared(String topic) {
        Retained old = retained.remove(topic);
        if (old != null) {
            retainedBytes -= old.recordBytes;
        }
    }

    /** Drops the queued messages and retained messages that expired by {@code nowMillis}. */
    void dropExpired(long nowMillis) {
        for (SessionState s : sessions.values()) {
            int before = s.messages.size();
            messageBytes -= s.messages.removeQueuedIf(m -> m.message().isExpired(nowMillis));
            messages -= before - s.messages.size();
        }
        retained.values().removeIf(r -> {
            boolean expired = r.message.isExpired(nowMillis);
            if (expired) {
                retainedBytes -= r.recordBytes;
            }
            return expired;
        });
    }

    /** The highest session key in use: new sessions get keys above it. */
    long maxKey() {
        return maxKey;
    }

    int sessionCount() {
        return sessions.size();
    }

    long messageCount() {
        return messages;
    }

    int retainedCount() {
        return retained.size();
    }

    /** About how many bytes a snapshot of this state takes: what compaction cannot reclaim. */
    long liveBytes() {
        return messageBytes + retainedBytes + (long) sessions.size() * SESSION_BYTES;
    }

    Iterable<SessionState> sessions() {
        return sessions.values();
    }

    /** The retained messages, in the order they were first stored. */
    List<Message> retainedMessages() {
        List<Message> out = new ArrayList<>(retained.size());
        for (Retained r : retained.values()) {
            out.add(r.message);
        }
        return out;
    }

    /** Takes the entries that rebuild the live state, one at a time. */
    @FunctionalInterface
    interface OpVisitor<E extends Exception> {
        void accept(JournalOp op) throws E;
    }

    /**
     * Hands {@code each} the entries that rebuild the sessions whose client id {@code which} accepts, and every
     * retained message: what a snapshot holds.
     *
     * @return how many messages the sessions hold
     */
    <E extends Exception> long forEachOp(Predicate<String> which, OpVisitor<E> each) throws E {
        long count = 0;
        for (SessionState s : sessions.values()) {
            if (which.test(s.clientId)) {
                count += forEachOp(s, each);
            }
        }
        for (Retained r : retained.values()) {
            each.accept(new JournalOp.RetainedStored(r.message, null));
        }
        return count;
    }

    private static <E extends Exception> long forEachOp(SessionState s, OpVisitor<E> each) throws E {
        each.accept(new JournalOp.Created(s.key, s.clientId, s.owner, s.expirySeconds, s.will, s.willDelaySeconds));
        if (s.disconnectedAtMillis != 0) {
            each.accept(new JournalOp.Disconnected(s.key, s.disconnectedAtMillis));
        }
        if (s.willDueAtMillis != 0 && s.will != null) {
            each.accept(new JournalOp.WillPending(s.key, s.will, s.willDueAtMillis));
        }
        for (SubscriptionRecord sub : s.subscriptions.values()) {
            each.accept(new JournalOp.Subscribed(s.key, sub, null));
        }
        for (int packetId : s.inboundQos2) {
            each.accept(new JournalOp.InboundQos2(s.key, packetId, true, null));
        }
        s.messages.<E>visit((message, packetId, released) -> {
            each.accept(new JournalOp.Queued(s.key, message, null));
            if (packetId != 0) {
                each.accept(new JournalOp.Sent(s.key, message.seq(), packetId));
                if (released) {
                    each.accept(new JournalOp.PubRecReceived(s.key, packetId));
                }
            }
        });
        return s.messages.size();
    }

    /** Every session as the core rebuilds it at start. */
    List<SessionSnapshot> sessionSnapshots() {
        return sessionSnapshots(clientId -> true);
    }

    /** The sessions whose client id {@code which} accepts, as the core rebuilds them. */
    List<SessionSnapshot> sessionSnapshots(Predicate<String> which) {
        List<SessionSnapshot> out = new ArrayList<>();
        for (SessionState s : sessions.values()) {
            if (!which.test(s.clientId)) {
                continue;
            }
            List<StoredMessage> queued = new ArrayList<>();
            List<InflightMessage> inflight = new ArrayList<>();
            s.messages.visit((message, packetId, released) -> {
                if (packetId == 0) {
                    queued.add(message);
                } else {
                    inflight.add(new InflightMessage(message, packetId, released));
                }
            });
            int[] qos2 = s.inboundQos2.stream().mapToInt(Integer::intValue).toArray();
            out.add(new SessionSnapshot(s.clientId, s.owner, s.expirySeconds, s.disconnectedAtMillis, s.will,
                    s.willDelaySeconds, new ArrayList<>(s.subscriptions.values()), queued, inflight, qos2,
                    s.nextSeq));
        }
        return out;
    }

    /** The client id of the live session of {@code key}, or {@code null}. */
    String clientIdOf(long key) {
        SessionState s = session(key);
        return s == null ? null : s.clientId;
    }

    /** The key of the live session of {@code clientId}, or -1. */
    long keyOf(String clientId) {
        SessionState s = byClientId.get(clientId);
        return s == null ? -1 : s.key;
    }
}
