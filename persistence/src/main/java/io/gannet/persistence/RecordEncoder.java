package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes journal records into one reusable array, owned by the journal's writer thread. A record is its length, a
 * type byte, its fields, and a CRC-32C of type and fields, so that replay recognizes a damaged entry; the records
 * of one batch follow each other and are appended as one Chronicle document, whole or not at all. Strings are UTF-8
 * with a length ({@code -1} for null); numbers are big-endian.
 */
final class RecordEncoder {
    // One bounds check and one store per number rather than one per byte: the writer encodes several records for
    // every message, and these were a tenth of its time.
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final CRC32C crc = new CRC32C();
    private byte[] buf = new byte[4096];
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
        writeInt(0); // its length, once known
        return writeByte(type);
    }

    /**
     * Closes the record with its checksum and length.
     *
     * @return the bytes the record takes in the batch
     */
    int end() {
        int bodyStart = recordStart + 4;
        crc.reset();
        crc.update(buf, bodyStart, pos - bodyStart);
        writeInt((int) crc.getValue());
        INT.set(buf, recordStart, pos - bodyStart);
        return pos - recordStart;
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

    RecordEncoder writeInt(int v) {
        ensure(4);
        INT.set(buf, pos, v);
        pos += 4;
        return this;
    }

    RecordEncoder writeLong(long v) {
        ensure(8);
        LONG.set(buf, pos, v);
        pos += 8;
        return this;
    }

    RecordEncoder writeBytes(byte[] v) {
        if (v == null) {
            return writeInt(-1);
        }
        writeInt(v.length);
        ensure(v.length);
        System.arraycopy(v, 0, buf, pos, v.length);
        pos += v.length;
        return this;
    }

    RecordEncoder writeString(String v) {
        if (v == null) {
            return writeInt(-1);
        }
        // Topics and client ids are nearly always ASCII: written straight into the batch, with no array made for
        // each; anything else through the JDK's encoder.
        int n = v.length();
        ensure(4 + n);
        int start = pos + 4;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c >= 0x80) {
                return writeBytes(v.getBytes(StandardCharsets.UTF_8));
            }
            buf[start + i] = (byte) c;
        }
        INT.set(buf, pos, n);
        pos += 4 + n;
        return this;
    }

    RecordEncoder writeInts(int[] v) {
        if (v == null) {
            return writeInt(-1);
        }
        writeInt(v.length);
        for (int i : v) {
            writeInt(i);
        }
        return this;
    }

    /** A message, or {@code null}. */
    RecordEncoder writeMessage(Message m) {
        if (m == null) {
            return writeBoolean(false);
        }
        writeBoolean(true);
        writeString(m.topic()).writeByte(m.qos()).writeBoolean(m.retain()).writeBytes(m.payload());
        writeBytes(m.properties().isEmpty() ? null : m.properties().toWire());
        return writeString(m.publisherId()).writeLong(m.expiresAtMillis());
    }

    RecordEncoder writeStored(StoredMessage s) {
        writeLong(s.seq()).writeMessage(s.message()).writeByte(s.qos()).writeBoolean(s.retain());
        return writeInts(s.subscriptionIds()).writeString(s.sharedGroup());
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
