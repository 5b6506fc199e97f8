package io.gannet.persistence;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Reads one journal record written by {@link RecordEncoder}, after checking its checksum. Any inconsistency (a bad
 * checksum, a length beyond the record) is a {@link DamagedRecordException}: replay stops there.
 */
final class RecordDecoder {
    private final byte[] buf;
    private final int end;
    private int pos;

    private RecordDecoder(byte[] buf, int end) {
        this.buf = buf;
        this.end = end;
    }

    /** Checks the checksum of the record at {@code [offset, offset + length)} and returns a reader at its type. */
    static RecordDecoder of(byte[] batch, int offset, int length) {
        if (length < 5) {
            throw new DamagedRecordException("a record of " + length + " bytes is too short");
        }
        int body = offset + length - 4;
        CRC32C crc = new CRC32C();
        crc.update(batch, offset, length - 4);
        RecordDecoder tail = new RecordDecoder(batch, offset + length);
        tail.pos = body;
        if (tail.readInt() != (int) crc.getValue()) {
            throw new DamagedRecordException("checksum mismatch");
        }
        RecordDecoder d = new RecordDecoder(batch, body);
        d.pos = offset;
        return d;
    }

    /**
     * Hands each record of a batch (one Chronicle document) to {@code each}, in order, until {@code each} answers
     * false.
     *
     * @throws DamagedRecordException when the batch's framing is damaged
     */
    static void forEachRecord(byte[] batch, RecordVisitor each) {
        int p = 0;
        while (p < batch.length) {
            if (batch.length - p < 4) {
                throw new DamagedRecordException("a record length cut short");
            }
            int length = (batch[p] & 0xFF) << 24 | (batch[p + 1] & 0xFF) << 16 | (batch[p + 2] & 0xFF) << 8
                    | batch[p + 3] & 0xFF;
            if (length < 0 || length > batch.length - p - 4) {
                throw new DamagedRecordException("a record length of " + length + " beyond its batch");
            }
            if (!each.record(batch, p + 4, length)) {
                return;
            }
            p += 4 + length;
        }
    }

    /** Receives the records of a batch. */
    @FunctionalInterface
    interface RecordVisitor {
        /** @return whether to go on */
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
        need(4);
        int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | buf[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    long readLong() {
        return (long) readInt() << 32 | readInt() & 0xFFFFFFFFL;
    }

    byte[] readBytes() {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0) {
            throw new DamagedRecordException("negative length " + n);
        }
        need(n);
        byte[] v = new byte[n];
        System.arraycopy(buf, pos, v, 0, n);
        pos += n;
        return v;
    }

    String readString() {
        byte[] b = readBytes();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    int[] readInts() {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > (end - pos) / 4) {
            throw new DamagedRecordException("bad count " + n);
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = readInt();
        }
        return v;
    }

    Message readMessage() {
        if (!readBoolean()) {
            return null;
        }
        String topic = readString();
        int qos = readByte();
        boolean retain = readBoolean();
        byte[] payload = readBytes();
        byte[] props = readBytes();
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
        return new Message(topic, qos, retain, payload, properties, publisher, expiresAt);
    }

    StoredMessage readStored() {
        long seq = readLong();
        Message m = readMessage();
        if (m == null) {
            throw new DamagedRecordException("a queued entry without a message");
        }
        return new StoredMessage(seq, m, readByte(), readBoolean(), readInts(), readString());
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
