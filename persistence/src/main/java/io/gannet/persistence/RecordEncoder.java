package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes journal records into one reusable array, owned by the thread that fills it. A record is its length, a type
 * byte and its fields; the records of one batch follow each other. Numbers and lengths are unsigned LEB128 varints
 * (a negative number takes ten bytes, as in protobuf), so that the small keys, sequence numbers and packet ids of
 * the hot path take one to three bytes; strings are UTF-8 after their length plus one, 0 standing for null. The
 * checksum is the segment's, one per batch ({@link Segment}), not one per record.
 *
 * <p>Why so compact: a message for a persistent session costs two or three records (queued, sent, acknowledged),
 * and the journal writer's time goes mostly into copying bytes into the mapped file and faulting its new pages in,
 * in proportion to the bytes.
 */
final class RecordEncoder {
    /** Message flags: written before a message's fields. */
    static final int MESSAGE_PRESENT = 1;
    static final int MESSAGE_RETAIN = 2;
    static final int MESSAGE_PROPERTIES = 4;
    /** The QoS takes bits 3 and 4 of the flags. */
    static final int MESSAGE_QOS_SHIFT = 3;
    /** Queued-message flags: the delivery's QoS in bits 0 and 1, then these. */
    static final int STORED_RETAIN = 4;
    static final int STORED_SUBSCRIPTION_IDS = 8;
    static final int STORED_SHARED_GROUP = 16;

    private byte[] buf = new byte[4096];
    /** The chars of the string being written; see {@link #writeString}. */
    private char[] chars = new char[64];
    private int pos;
    private int recordStart;

    /** Empties the batch. */
    void clear() {
        pos = 0;
    }

    boolean isEmpty() {
        return pos == 0;
    }

    /** Starts a record after those already in the batch. */
    RecordEncoder begin(byte type) {
        recordStart = pos;
        ensure(2);
        buf[pos++] = 0; // one byte for the length, enough for the records of the hot path; widened in end()
        buf[pos++] = type;
        return this;
    }

    /**
     * Closes the record with its length.
     *
     * @return the bytes the record takes in the batch
     */
    int end() {
        int bodyStart = recordStart + 1;
        int length = pos - bodyStart;
        int extra = varIntSize(length) - 1;
        if (extra > 0) { // a large record: its body moves to make room for a longer length
            ensure(extra);
            System.arraycopy(buf, bodyStart, buf, bodyStart + extra, length);
            pos += extra;
        }
        putVarInt(buf, recordStart, length);
        return pos - recordStart;
    }

    /** The bytes a record with a body of {@code length} bytes takes, its length included. */
    static int framedSize(int length) {
        return varIntSize(length) + length;
    }

    static int varIntSize(int v) {
        return v >>> 7 == 0 ? 1 : v >>> 14 == 0 ? 2 : v >>> 21 == 0 ? 3 : v >>> 28 == 0 ? 4 : 5;
    }

    /** The batch: {@link #length()} bytes of records. */
    byte[] array() {
        return buf;
    }

    int length() {
        return pos;
    }

    RecordEncoder writeByte(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    RecordEncoder writeBoolean(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    /** An int as a varint of its 32 bits: a negative one takes five bytes. */
    RecordEncoder writeInt(int v) {
        ensure(5);
        pos = putVarInt(buf, pos, v);
        return this;
    }

    /** Writes {@code v} as a varint at {@code p}; returns where it ends. */
    private static int putVarInt(byte[] buf, int p, int v) {
        while ((v & ~0x7F) != 0) {
            buf[p++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        buf[p++] = (byte) v;
        return p;
    }

    /** A long as a varint of its 64 bits: a negative one takes ten bytes. */
    RecordEncoder writeLong(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return this;
    }

    RecordEncoder writeBytes(byte[] v) {
        if (v == null) {
            return writeInt(0);
        }
        writeInt(v.length + 1);
        ensure(v.length);
        System.arraycopy(v, 0, buf, pos, v.length);
        pos += v.length;
        return this;
    }

    RecordEncoder writeString(String v) {
        if (v == null) {
            return writeInt(0);
        }
        // Topics and client ids are nearly always ASCII: written straight into the batch, with no array made for
        // each; anything else through the JDK's encoder. The chars are copied out first (an intrinsic), so that the
        // loop below reads a plain array and has no early exit: String.charAt per char, with its checks, cost about
        // 1 ns a char, and a queued record writes two strings.
        int n = v.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        v.getChars(0, n, chars, 0);
        int before = pos;
        writeInt(n + 1);
        ensure(n);
        byte[] b = buf;
        int at = pos;
        int all = 0;
        for (int i = 0; i < n; i++) {
            char c = chars[i];
            all |= c;
            b[at + i] = (byte) c;
        }
        if (all >= 0x80) {
            pos = before;
            return writeBytes(v.getBytes(StandardCharsets.UTF_8));
        }
        pos += n;
        return this;
    }

    /** A message, or {@code null}: its flags, then topic, payload, properties if any, publisher and expiry. */
    RecordEncoder writeMessage(Message m) {
        if (m == null) {
            return writeByte(0);
        }
        boolean properties = !m.properties().isEmpty();
        writeByte(MESSAGE_PRESENT | (m.retain() ? MESSAGE_RETAIN : 0) | (properties ? MESSAGE_PROPERTIES : 0)
                | m.qos() << MESSAGE_QOS_SHIFT);
        writeString(m.topic()).writeBytes(m.payload());
        if (properties) {
            writeBytes(m.properties().toWire());
        }
        return writeString(m.publisherId()).writeLong(m.expiresAtMillis());
    }

    /** A queued message: its sequence number, the message, its flags, then the ids and group its flags name. */
    RecordEncoder writeStored(StoredMessage s) {
        int[] ids = s.subscriptionIds();
        String group = s.sharedGroup();
        writeLong(s.seq()).writeMessage(s.message());
        writeByte(s.qos() | (s.retain() ? STORED_RETAIN : 0) | (ids != null ? STORED_SUBSCRIPTION_IDS : 0)
                | (group != null ? STORED_SHARED_GROUP : 0));
        if (ids != null) {
            writeInt(ids.length);
            for (int id : ids) {
                writeInt(id);
            }
        }
        return group != null ? writeString(group) : this;
    }

    RecordEncoder writeOwner(SessionOwner o) {
        return writeString(o.username()).writeString(o.certificateSubject());
    }

    RecordEncoder writeSubscription(SubscriptionRecord r) {
        writeString(r.filter()).writeByte(r.qos()).writeBoolean(r.noLocal()).writeBoolean(r.retainAsPublished());
        return writeByte(r.retainHandling()).writeInt(r.subscriptionId()).writeString(r.shareName());
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }
}
