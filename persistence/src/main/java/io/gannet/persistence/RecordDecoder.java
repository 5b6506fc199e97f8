package io.gannet.persistence;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.nio.charset.StandardCharsets;

/**
 * Reads one journal record written by {@link RecordEncoder}. Any inconsistency (a length beyond the record, a
 * varint too long, bytes left over) is a {@link DamagedRecordException}: replay stops there.
 */
final class RecordDecoder {
    private final byte[] buf;
    private final int end;
    private int pos;

    private RecordDecoder(byte[] buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    /** A reader at the type of the record whose body is {@code [offset, offset + length)}. */
    static RecordDecoder of(byte[] batch, int offset, int length) {
        if (length < 1) {
            throw new DamagedRecordException("an empty record");
        }
        return new RecordDecoder(batch, offset, offset + length);
    }

    /**
     * Hands each record of a batch (the records of one Chronicle document, or of one Raft entry) to {@code each},
     * in order, until {@code each} answers false.
     *
     * @throws DamagedRecordException when the batch's framing is damaged
     */
    static void forEachRecord(byte[] batch, int offset, int length, RecordVisitor each) {
        RecordDecoder framing = new RecordDecoder(batch, offset, offset + length);
        while (framing.pos < framing.end) {
            int n = framing.readInt();
            if (n < 0 || n > framing.end - framing.pos) {
                throw new DamagedRecordException("a record length of " + n + " beyond its batch");
            }
            if (!each.record(batch, framing.pos, n)) {
                return;
            }
            framing.pos += n;
        }
    }

    /** Receives the records of a batch. */
    @FunctionalInterface
    interface RecordVisitor {
        /**
         * @param offset where the record's body (its type and fields) starts
         * @param length the body's bytes; the record takes {@link RecordEncoder#framedSize} of it in the batch
         * @return whether to go on
         */
        boolean record(byte[] batch, int offset, int length);
    }

    boolean atEnd() {
        return pos == end;
    }

    byte readByte() {
        need(1);
        return buf[pos++];
    }

    boolean readBoolean() {
        return readByte() != 0;
    }

    int readInt() {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            byte b = readByte();
            v |= (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new DamagedRecordException("a number longer than five bytes");
    }

    long readLong() {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            byte b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new DamagedRecordException("a number longer than ten bytes");
    }

    byte[] readBytes() {
        int n = readLength();
        if (n < 0) {
            return null;
        }
        byte[] v = new byte[n];
        System.arraycopy(buf, pos, v, 0, n);
        pos += n;
        return v;
    }

    String readString() {
        int n = readLength();
        if (n < 0) {
            return null;
        }
        String v = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return v;
    }

    /** The length of the string or bytes that follow, checked against the record; -1 for null. */
    private int readLength() {
        int n = readInt() - 1;
        if (n == -1) {
            return -1;
        }
        if (n < 0) {
            throw new DamagedRecordException("a length beyond 2 GiB");
        }
        need(n);
        return n;
    }

    Message readMessage() {
        int flags = readByte();
        if ((flags & RecordEncoder.MESSAGE_PRESENT) == 0) {
            return null;
        }
        String topic = readString();
        byte[] payload = readBytes();
        byte[] props = (flags & RecordEncoder.MESSAGE_PROPERTIES) != 0 ? readBytes() : null;
        String publisher = readString();
        long expiresAt = readLong();
        if (topic == null || payload == null || publisher == null) {
            throw new DamagedRecordException("a message without topic, payload or publisher");
        }
        MqttProperties properties;
        try {
            properties = props == null ? MqttProperties.EMPTY : MqttProperties.fromWire(props);
        } catch (RuntimeException e) {
            throw new DamagedRecordException("unreadable message properties: " + e.getMessage());
        }
        return new Message(topic, flags >> RecordEncoder.MESSAGE_QOS_SHIFT & 3,
                (flags & RecordEncoder.MESSAGE_RETAIN) != 0, payload, properties, publisher, expiresAt);
    }

    StoredMessage readStored() {
        long seq = readLong();
        Message m = readMessage();
        if (m == null) {
            throw new DamagedRecordException("a queued entry without a message");
        }
        int flags = readByte();
        int[] ids = null;
        if ((flags & RecordEncoder.STORED_SUBSCRIPTION_IDS) != 0) {
            int n = readInt();
            if (n < 0 || n > end - pos) { // each id takes a byte at least
                throw new DamagedRecordException("bad count " + n);
            }
            ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = readInt();
            }
        }
        String group = (flags & RecordEncoder.STORED_SHARED_GROUP) != 0 ? readString() : null;
        return new StoredMessage(seq, m, flags & 3, (flags & RecordEncoder.STORED_RETAIN) != 0, ids, group);
    }

    SessionOwner readOwner() {
        String user = readString();
        String subject = readString();
        return user == null && subject == null ? SessionOwner.ANONYMOUS : new SessionOwner(user, subject);
    }

    SubscriptionRecord readSubscription() {
        String filter = readString();
        if (filter == null) {
            throw new DamagedRecordException("a subscription without a filter");
        }
        return new SubscriptionRecord(filter, readByte(), readBoolean(), readBoolean(), readByte(), readInt(),
                readString());
    }

    private void need(int n) {
        if (n > end - pos) {
            throw new DamagedRecordException("the record ends " + (n - (end - pos)) + " bytes early");
        }
    }
}
