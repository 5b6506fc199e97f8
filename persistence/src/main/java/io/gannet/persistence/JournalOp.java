package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.util.concurrent.CompletableFuture;

/**
 * One entry of the journal: a change of a persistent session or of the retained messages, as the event loops hand
 * it to the {@link JournalWriter} and as replay reads it back. Each knows its record form ({@link #encode}, and
 * {@link #decode} for the way back) and what it changes in the {@link LiveState}.
 */
public sealed interface JournalOp {
    byte SEGMENT_BEGIN = 1;
    byte SNAPSHOT_END = 2;
    byte CREATED = 10;
    byte RESUMED = 11;
    byte DISCONNECTED = 12;
    byte EXPIRY_CHANGED = 13;
    byte SUBSCRIBED = 14;
    byte UNSUBSCRIBED = 15;
    byte QUEUED = 16;
    byte SENT = 17;
    byte REMOVED = 18;
    byte PUBACK = 19;
    byte PUBREC = 20;
    byte PUBCOMP = 21;
    byte QOS2_STORED = 22;
    byte QOS2_RELEASED = 23;
    byte WILL_PENDING = 24;
    byte WILL_CLEARED = 25;
    byte ENDED = 26;
    byte RETAINED = 30;
    byte RETAINED_CLEARED = 31;

    void encode(RecordEncoder e);

    /**
     * Applies the entry to the live state.
     *
     * @param recordBytes the bytes the entry's records take in the journal
     */
    void applyTo(LiveState state, int recordBytes);

    /** What the event's sender waits for, or {@code null}. */
    default CompletableFuture<Void> done() {
        return null;
    }

    /** The key of the session the entry is about, or -1 for one about none (retained messages, segment marks). */
    default long key() {
        return -1;
    }

    /** Reads the record {@code d} is positioned at. */
    static JournalOp decode(RecordDecoder d) {
        byte type = d.readByte();
        JournalOp op = switch (type) {
            case SEGMENT_BEGIN -> new SegmentBegin(d.readInt(), d.readLong(), d.readLong());
            case SNAPSHOT_END -> new SnapshotEnd(d.readInt(), d.readLong());
            case CREATED -> new Created(d.readLong(), d.readString(), d.readOwner(), d.readLong(), d.readMessage(),
                    d.readLong());
            case RESUMED -> new Resumed(d.readLong(), d.readOwner(), d.readLong(), d.readMessage(), d.readLong());
            case DISCONNECTED -> new Disconnected(d.readLong(), d.readLong());
            case EXPIRY_CHANGED -> new ExpiryChanged(d.readLong(), d.readLong());
            case SUBSCRIBED -> new Subscribed(d.readLong(), d.readSubscription(), null);
            case UNSUBSCRIBED -> new Unsubscribed(d.readLong(), d.readString());
            case QUEUED -> new Queued(d.readLong(), d.readStored(), null);
            case SENT -> new Sent(d.readLong(), d.readLong(), d.readInt());
            case REMOVED -> new Removed(d.readLong(), d.readLong());
            case PUBACK, PUBCOMP -> new Acknowledged(d.readLong(), d.readInt(), type);
            case PUBREC -> new PubRecReceived(d.readLong(), d.readInt());
            case QOS2_STORED -> new InboundQos2(d.readLong(), d.readInt(), true, null);
            case QOS2_RELEASED -> new InboundQos2(d.readLong(), d.readInt(), false, null);
            case WILL_PENDING -> new WillPending(d.readLong(), d.readMessage(), d.readLong());
            case WILL_CLEARED -> new WillCleared(d.readLong());
            case ENDED -> new Ended(d.readLong(), d.readBoolean());
            case RETAINED -> new RetainedStored(d.readMessage(), null);
            case RETAINED_CLEARED -> new RetainedCleared(d.readString(), null);
            default -> throw new DamagedRecordException("unknown record type " + type);
        };
        if (!d.atEnd()) {
            throw new DamagedRecordException("bytes left after a record of type " + type);
        }
        return op;
    }

    /** An entry about one session: applied to that session's state, if it is still alive. */
    sealed interface SessionOp extends JournalOp {
        long key();

        void applyTo(LiveState.SessionState session);

        @Override
        default void applyTo(LiveState state, int recordBytes) {
            LiveState.SessionState s = state.session(key());
            if (s != null) {
                applyTo(s);
            }
        }
    }

    /** The first entry of a segment: which format wrote it. */
    record SegmentBegin(int format, long segment, long createdAtMillis) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(SEGMENT_BEGIN).writeInt(format).writeLong(segment).writeLong(createdAtMillis);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
        }
    }

    /** The segment's snapshot is complete: what follows are events. */
    record SnapshotEnd(int sessions, long messages) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(SNAPSHOT_END).writeInt(sessions).writeLong(messages);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
        }
    }

    record Created(long key, String clientId, SessionOwner owner, long expirySeconds, Message will,
                   long willDelaySeconds) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(CREATED).writeLong(key).writeString(clientId).writeOwner(owner).writeLong(expirySeconds)
                    .writeMessage(will).writeLong(willDelaySeconds);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.created(this);
        }
    }

    record Resumed(long key, SessionOwner owner, long expirySeconds, Message will, long willDelaySeconds)
            implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(RESUMED).writeLong(key).writeOwner(owner).writeLong(expirySeconds).writeMessage(will)
                    .writeLong(willDelaySeconds);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.owner = owner;
            s.expirySeconds = expirySeconds;
            s.will = will;
            s.willDelaySeconds = willDelaySeconds;
            s.willDueAtMillis = 0;
            s.disconnectedAtMillis = 0;
        }
    }

    record Disconnected(long key, long atMillis) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(DISCONNECTED).writeLong(key).writeLong(atMillis);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.disconnectedAtMillis = atMillis;
        }
    }

    record ExpiryChanged(long key, long expirySeconds) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(EXPIRY_CHANGED).writeLong(key).writeLong(expirySeconds);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.expirySeconds = expirySeconds;
        }
    }

    /** @param done what the SUBACK waits for, or {@code null} (a record read back, or rewritten at compaction) */
    record Subscribed(long key, SubscriptionRecord subscription, CompletableFuture<Void> done) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(SUBSCRIBED).writeLong(key).writeSubscription(subscription);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.subscriptions.put(subscription.key(), subscription);
        }
    }

    record Unsubscribed(long key, String subscriptionKey) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(UNSUBSCRIBED).writeLong(key).writeString(subscriptionKey);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.subscriptions.remove(subscriptionKey);
        }
    }

    /** A QoS 1 or 2 message reached the session; its publisher's acknowledgement waits for {@link #done}. */
    record Queued(long key, StoredMessage message, CompletableFuture<Void> done) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(QUEUED).writeLong(key).writeStored(message);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.queued(key, message, recordBytes);
        }
    }

    /**
     * A message queued and sent at once: the records of {@link Queued} and {@link Sent} from one event, so that
     * replay needs no record type of its own for it.
     */
    record QueuedSent(long key, StoredMessage message, int packetId, CompletableFuture<Void> done)
            implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(QUEUED).writeLong(key).writeStored(message);
            e.end();
            e.begin(SENT).writeLong(key).writeLong(message.seq()).writeInt(packetId);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.queued(key, message, recordBytes);
            LiveState.SessionState s = state.session(key);
            if (s != null) {
                s.messages.sent(message.seq(), packetId);
            }
        }
    }

    record Sent(long key, long seq, int packetId) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(SENT).writeLong(key).writeLong(seq).writeInt(packetId);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.messages.sent(seq, packetId);
        }
    }

    record Removed(long key, long seq) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(REMOVED).writeLong(key).writeLong(seq);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.removed(key, seq);
        }
    }

    /** PUBACK or PUBCOMP: the delivery under the packet id is done. */
    record Acknowledged(long key, int packetId, byte type) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(type).writeLong(key).writeInt(packetId);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.acknowledged(key, packetId);
        }
    }

    record PubRecReceived(long key, int packetId) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(PUBREC).writeLong(key).writeInt(packetId);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.messages.released(packetId);
        }
    }

    /** A QoS 2 message from the client stored under its packet id (its PUBREC waits), or released by PUBREL. */
    record InboundQos2(long key, int packetId, boolean stored, CompletableFuture<Void> done) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(stored ? QOS2_STORED : QOS2_RELEASED).writeLong(key).writeInt(packetId);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            if (stored) {
                s.inboundQos2.add(packetId);
            } else {
                s.inboundQos2.remove(packetId);
            }
        }
    }

    record WillPending(long key, Message will, long dueAtMillis) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(WILL_PENDING).writeLong(key).writeMessage(will).writeLong(dueAtMillis);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.will = will;
            s.willDueAtMillis = dueAtMillis;
        }
    }

    record WillCleared(long key) implements SessionOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(WILL_CLEARED).writeLong(key);
        }

        @Override
        public void applyTo(LiveState.SessionState s) {
            s.will = null;
            s.willDueAtMillis = 0;
        }
    }

    record Ended(long key, boolean expired) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(ENDED).writeLong(key).writeBoolean(expired);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.ended(key);
        }
    }

    record RetainedStored(Message message, CompletableFuture<Void> done) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(RETAINED).writeMessage(message);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.retained(message, recordBytes);
        }
    }

    record RetainedCleared(String topic, CompletableFuture<Void> done) implements JournalOp {
        @Override
        public void encode(RecordEncoder e) {
            e.begin(RETAINED_CLEARED).writeString(topic);
        }

        @Override
        public void applyTo(LiveState state, int recordBytes) {
            state.retainedCleared(topic);
        }
    }
}
