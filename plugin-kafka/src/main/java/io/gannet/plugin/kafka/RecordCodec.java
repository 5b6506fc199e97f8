package io.gannet.plugin.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A Kafka record as the disk buffer keeps it: topic, timestamp, key, value and headers, with a CRC-32C, so that a
 * record torn by a crash is recognized, not sent. Strings are UTF-8 with a length; byte arrays have a length,
 * {@code -1} for null.
 */
final class RecordCodec {
    private static final int FORMAT = 1;

    private RecordCodec() {
    }

    static byte[] encode(ProducerRecord<byte[], byte[]> r) {
        byte[] topic = r.topic().getBytes(StandardCharsets.UTF_8);
        int size = 1 + 4 + topic.length + 8 + bytesSize(r.key()) + bytesSize(r.value()) + 4;
        Header[] headers = r.headers().toArray();
        byte[][] names = new byte[headers.length][];
        for (int i = 0; i < headers.length; i++) {
            names[i] = headers[i].key().getBytes(StandardCharsets.UTF_8);
            size += 4 + names[i].length + bytesSize(headers[i].value());
        }
        ByteBuffer b = ByteBuffer.allocate(size + 4);
        b.put((byte) FORMAT);
        b.putInt(topic.length).put(topic);
        b.putLong(r.timestamp() == null ? -1 : r.timestamp());
        putBytes(b, r.key());
        putBytes(b, r.value());
        b.putInt(headers.length);
        for (int i = 0; i < headers.length; i++) {
            b.putInt(names[i].length).put(names[i]);
            putBytes(b, headers[i].value());
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, size);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a whole record of this format
     */
    static ProducerRecord<byte[], byte[]> decode(byte[] bytes) {
        if (bytes.length < 5) {
            throw new IllegalArgumentException("a record of " + bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new IllegalArgumentException("a record whose checksum does not match");
        }
        try {
            if (b.get() != FORMAT) {
                throw new IllegalArgumentException("a record of another format");
            }
            String topic = new String(getBytes(b), StandardCharsets.UTF_8);
            long timestamp = b.getLong();
            byte[] key = getBytes(b);
            byte[] value = getBytes(b);
            int count = b.getInt();
            RecordHeaders headers = new RecordHeaders();
            for (int i = 0; i < count; i++) {
                headers.add(new String(getBytes(b), StandardCharsets.UTF_8), getBytes(b));
            }
            return new ProducerRecord<>(topic, null, timestamp < 0 ? null : timestamp, key, value, headers);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("a damaged record: " + e, e);
        }
    }

    private static int bytesSize(byte[] v) {
        return 4 + (v == null ? 0 : v.length);
    }

    private static void putBytes(ByteBuffer b, byte[] v) {
        if (v == null) {
            b.putInt(-1);
        } else {
            b.putInt(v.length).put(v);
        }
    }

    private static byte[] getBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] v = new byte[n];
        b.get(v);
        return v;
    }
}
