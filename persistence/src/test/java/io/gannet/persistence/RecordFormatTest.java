package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The journal's record format: every kind of entry, with numbers at the edges of each varint width, strings of
 * other scripts, large payloads and absent fields, reads back as it was written; a record cut short or with bytes
 * left over is named damaged.
 */
class RecordFormatTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyEntryReadsBackAsItWasWritten(long seed) {
        Random random = new Random(seed);
        List<JournalOp> ops = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ops.add(randomOp(random));
        }
        RecordEncoder encoder = new RecordEncoder();
        List<Integer> sizes = new ArrayList<>();
        for (JournalOp op : ops) {
            int start = encoder.length();
            op.encode(encoder);
            encoder.end();
            sizes.add(encoder.length() - start);
        }
        byte[] batch = Arrays.copyOf(encoder.array(), encoder.length());

        List<JournalOp> read = new ArrayList<>();
        List<Integer> readSizes = new ArrayList<>();
        RecordDecoder.forEachRecord(batch, 0, batch.length, (b, offset, length) -> {
            read.add(JournalOp.decode(RecordDecoder.of(b, offset, length)));
            readSizes.add(RecordEncoder.framedSize(length));
            return true;
        });

        // QueuedSent writes two records (queued, then sent), read back as two entries.
        List<JournalOp> expected = new ArrayList<>();
        for (JournalOp op : ops) {
            if (op instanceof JournalOp.QueuedSent qs) {
                expected.add(new JournalOp.Queued(qs.key(), qs.message(), null));
                expected.add(new JournalOp.Sent(qs.key(), qs.message().seq(), qs.packetId()));
            } else {
                expected.add(op);
            }
        }
        assertThat(read).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(read.get(i)).as("entry %d", i).usingRecursiveComparison()
                    .withEqualsForType(MqttProperties::equals, MqttProperties.class) // not its cached length
                    .isEqualTo(expected.get(i));
        }
        assertThat(readSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(batch.length);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(batch.length);
    }

    @Test
    void theHotPathsRecordsAreSmall() {
        Message m = new Message("bench/pairs/7", 1, false, new byte[16], MqttProperties.EMPTY, "bench-pub-7", 0);
        assertThat(size(new JournalOp.Queued(1234, new StoredMessage(98_765, m, 1, false, null, null), null)))
                .as("a queued 16-byte message on a 13-character topic").isEqualTo(53);
        assertThat(size(new JournalOp.Sent(1234, 98_765, 40_000))).isEqualTo(10);
        assertThat(size(new JournalOp.Acknowledged(1234, 40_000, JournalOp.PUBACK))).isEqualTo(7);
    }

    @Test
    void aRecordCutShortOrWithBytesLeftIsDamaged() {
        RecordEncoder encoder = new RecordEncoder();
        new JournalOp.Sent(300, 1 << 20, 65_535).encode(encoder);
        encoder.end();
        byte[] record = Arrays.copyOf(encoder.array(), encoder.length());
        int body = record.length - 1;

        assertThatThrownBy(() -> JournalOp.decode(RecordDecoder.of(record, 1, body - 1)))
                .isInstanceOf(DamagedRecordException.class).hasMessageContaining("early");
        byte[] longer = Arrays.copyOf(record, record.length + 1);
        assertThatThrownBy(() -> JournalOp.decode(RecordDecoder.of(longer, 1, body + 1)))
                .isInstanceOf(DamagedRecordException.class).hasMessageContaining("bytes left");
        assertThatThrownBy(() -> RecordDecoder.forEachRecord(record, 0, record.length - 1, (b, o, n) -> true))
                .isInstanceOf(DamagedRecordException.class).hasMessageContaining("beyond its batch");
        byte[] endless = new byte[12];
        Arrays.fill(endless, (byte) 0xFF);
        endless[0] = 11;
        endless[1] = JournalOp.SENT;
        assertThatThrownBy(() -> JournalOp.decode(RecordDecoder.of(endless, 1, 11)))
                .isInstanceOf(DamagedRecordException.class);
    }

    private static int size(JournalOp op) {
        RecordEncoder encoder = new RecordEncoder();
        op.encode(encoder);
        return encoder.end();
    }

    private static JournalOp randomOp(Random r) {
        long key = number(r);
        return switch (r.nextInt(16)) {
            case 0 -> new JournalOp.Created(key, string(r), owner(r), number(r), r.nextBoolean() ? message(r) : null,
                    number(r));
            case 1 -> new JournalOp.Resumed(key, owner(r), number(r), r.nextBoolean() ? message(r) : null, number(r));
            case 2 -> new JournalOp.Disconnected(key, number(r));
            case 3 -> new JournalOp.ExpiryChanged(key, number(r));
            case 4 -> new JournalOp.Subscribed(key, new SubscriptionRecord(string(r), r.nextInt(3), r.nextBoolean(),
                    r.nextBoolean(), r.nextInt(3), (int) number(r), r.nextBoolean() ? string(r) : null), null);
            case 5 -> new JournalOp.Unsubscribed(key, string(r));
            case 6 -> new JournalOp.Queued(key, stored(r), null);
            case 7 -> new JournalOp.QueuedSent(key, stored(r), r.nextInt(65_536), null);
            case 8 -> new JournalOp.Sent(key, number(r), r.nextInt(65_536));
            case 9 -> new JournalOp.Removed(key, number(r));
            case 10 -> new JournalOp.Acknowledged(key, r.nextInt(65_536),
                    r.nextBoolean() ? JournalOp.PUBACK : JournalOp.PUBCOMP);
            case 11 -> new JournalOp.PubRecReceived(key, r.nextInt(65_536));
            case 12 -> new JournalOp.InboundQos2(key, r.nextInt(65_536), r.nextBoolean(), null);
            case 13 -> new JournalOp.WillPending(key, message(r), number(r));
            case 14 -> new JournalOp.Ended(key, r.nextBoolean());
            default -> r.nextBoolean() ? new JournalOp.RetainedStored(message(r), null)
                    : new JournalOp.RetainedCleared(string(r), null);
        };
    }

    /** A number near an edge of a varint's width, or anywhere, or negative. */
    private static long number(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> r.nextInt(3);
            case 1 -> (1L << 7 * (1 + r.nextInt(9))) - 1 + r.nextInt(3); // 127, 128, 129, 16383, ...
            case 2 -> Long.MAX_VALUE - r.nextInt(2);
            case 3 -> -1 - r.nextInt(1000);
            default -> r.nextLong() >>> r.nextInt(64);
        };
    }

    private static String string(Random r) {
        String[] parts = {"a", "devices", "+", "#", "température", "温度", "\uD83D\uDE00", "x".repeat(130)};
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            s.append(parts[r.nextInt(parts.length)]).append('/');
        }
        return s.toString();
    }

    private static SessionOwner owner(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> SessionOwner.ANONYMOUS;
            case 1 -> new SessionOwner(string(r), null);
            default -> new SessionOwner(r.nextBoolean() ? string(r) : null, "CN=" + string(r));
        };
    }

    private static StoredMessage stored(Random r) {
        int[] ids = null;
        if (r.nextBoolean()) {
            ids = new int[r.nextInt(4)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) number(r);
            }
        }
        return new StoredMessage(number(r), message(r), 1 + r.nextInt(2), r.nextBoolean(), ids,
                r.nextBoolean() ? string(r) : null);
    }

    private static Message message(Random r) {
        byte[] payload = new byte[switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 16;
            case 2 -> 100 + r.nextInt(60); // the record's length crosses one byte
            default -> 20_000 + r.nextInt(2_000); // three bytes
        }];
        r.nextBytes(payload);
        MqttProperties properties = MqttProperties.EMPTY;
        if (r.nextBoolean()) {
            properties = MqttProperties.builder().string(PropertyId.CONTENT_TYPE, string(r))
                    .userProperty("k", string(r)).build();
        }
        return new Message(string(r), r.nextInt(3), r.nextBoolean(), payload, properties, string(r),
                r.nextBoolean() ? 0 : number(r) & Long.MAX_VALUE);
    }
}
