package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.StoredMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link HeldMessages} (and its {@link PacketIdIndex}) against a model built of JDK maps, the way the live state
 * kept messages before: random runs of adds, sends, PUBRECs and removals by sequence number and by packet id, in
 * order and out of order, with a message that is never acknowledged among them.
 */
class HeldMessagesTest {
    private static final Message PAYLOAD = new Message("t", 1, false, new byte[1], MqttProperties.EMPTY, "p");

    /** The model: what the session holds, by sequence number in arrival order, and in flight by packet id. */
    private static final class Model {
        final LinkedHashMap<Long, int[]> held = new LinkedHashMap<>(); // seq -> {recordBytes, packetId, released}
        final Map<Integer, Long> inflight = new HashMap<>();

        int remove(long seq) {
            int[] h = held.remove(seq);
            if (h == null) {
                return -1;
            }
            if (h[1] != 0 && inflight.get(h[1]) == seq) {
                inflight.remove(h[1]);
            }
            return h[0];
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1_000, 31_337, 65_535, 2_026_12_04L})
    void behavesAsTheMapsItReplaced(long seed) {
        Random random = new Random(seed);
        HeldMessages held = new HeldMessages();
        Model model = new Model();
        long nextSeq = 1;
        int nextPacketId = 1;
        long stuck = -1; // a message sent and never acknowledged, which keeps the live range's start in place
        for (int step = 0; step < 100_000; step++) {
            // Phases that fill the session (the arrays grow) and drain it (they are squeezed and let go).
            int addShare = (step / 10_000) % 2 == 0 ? 55 : 20;
            int action = random.nextInt(100) < addShare ? 0 : 1 + random.nextInt(99);
            if (action == 0 || model.held.isEmpty()) {
                long seq = nextSeq;
                nextSeq += random.nextInt(10) == 0 ? 2 : 1; // QoS 0 messages take numbers but are not journaled
                int bytes = 20 + random.nextInt(100);
                assertThat(held.add(new StoredMessage(seq, PAYLOAD, 1, false, null, null), bytes)).isEqualTo(-1);
                model.held.put(seq, new int[] {bytes, 0, 0});
            } else if (action < 40) {
                long seq = pickQueued(model, random);
                if (seq < 0) {
                    continue;
                }
                int packetId = nextPacketId;
                nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
                if (model.inflight.containsKey(packetId)) {
                    continue; // the core never reuses an id still in flight
                }
                held.sent(seq, packetId);
                model.held.get(seq)[1] = packetId;
                model.inflight.put(packetId, seq);
                if (stuck < 0 && random.nextInt(1000) == 0) {
                    stuck = seq;
                }
            } else if (action < 45) {
                int packetId = pickInflight(model, random, stuck);
                if (packetId > 0) {
                    held.released(packetId);
                    model.held.get(model.inflight.get(packetId))[2] = 1;
                }
            } else if (action < 85) {
                int packetId = pickInflight(model, random, stuck);
                if (packetId > 0) {
                    long seq = model.inflight.get(packetId);
                    assertThat(held.removePacket(packetId)).isEqualTo(model.remove(seq));
                }
                int absent = 1 + random.nextInt(65_535);
                if (!model.inflight.containsKey(absent)) {
                    assertThat(held.removePacket(absent)).as("an id not in flight").isEqualTo(-1);
                }
            } else {
                long seq = pickQueued(model, random);
                if (seq >= 0) {
                    assertThat(held.removeSeq(seq)).isEqualTo(model.remove(seq));
                }
                assertThat(held.removeSeq(nextSeq + 5)).isEqualTo(-1);
            }
            if (step % 997 == 0) {
                assertSame(held, model);
            }
        }
        assertSame(held, model);
    }

    @Test
    void replayMaySeeAMessageTwiceOrOutOfOrder() {
        HeldMessages held = new HeldMessages();
        for (long seq : new long[] {5, 6, 8}) {
            held.add(new StoredMessage(seq, PAYLOAD, 1, false, null, null), 10);
        }
        held.sent(6, 100);
        assertThat(held.add(new StoredMessage(6, PAYLOAD, 1, false, null, null), 30)).isEqualTo(10);
        assertThat(held.add(new StoredMessage(7, PAYLOAD, 1, false, null, null), 40)).isEqualTo(-1);
        assertThat(held.removePacket(100)).as("the replaced copy is queued again, not in flight").isEqualTo(-1);
        List<Long> seqs = new ArrayList<>();
        held.visit((m, packetId, released) -> seqs.add(m.seq()));
        assertThat(seqs).containsExactly(5L, 6L, 7L, 8L);
        assertThat(held.bytes()).isEqualTo(10 + 30 + 40 + 10);
    }

    @Test
    void aDrainedBurstGivesItsMemoryBack() {
        HeldMessages held = new HeldMessages();
        for (long seq = 1; seq <= 5_000; seq++) {
            held.add(new StoredMessage(seq, PAYLOAD, 1, false, null, null), 10);
        }
        for (long seq = 1; seq <= 5_000; seq++) {
            assertThat(held.removeSeq(seq)).isEqualTo(10);
        }
        assertThat(held.size()).isZero();
        assertThat(held.bytes()).isZero();
        held.add(new StoredMessage(5_001, PAYLOAD, 1, false, null, null), 10);
        assertThat(held.removeSeq(5_001)).isEqualTo(10);
    }

    private static long pickQueued(Model model, Random random) {
        // Mostly the oldest queued message, as a session sends in order; now and then any.
        boolean any = random.nextInt(5) == 0;
        long found = -1;
        int seen = 0;
        for (Map.Entry<Long, int[]> e : model.held.entrySet()) {
            if (e.getValue()[1] == 0) {
                if (!any) {
                    return e.getKey();
                }
                if (random.nextInt(++seen) == 0) {
                    found = e.getKey();
                }
                if (seen > 50) {
                    break;
                }
            }
        }
        return found;
    }

    private static int pickInflight(Model model, Random random, long stuck) {
        // Mostly the oldest in flight (acknowledgements follow sends), now and then another; never the stuck one.
        boolean any = random.nextInt(4) == 0;
        int found = -1;
        int seen = 0;
        for (int[] h : model.held.values()) {
            if (h[1] != 0 && model.inflight.get(h[1]) != stuck) {
                if (!any) {
                    return h[1];
                }
                if (random.nextInt(++seen) == 0) {
                    found = h[1];
                }
                if (seen > 50) {
                    break;
                }
            }
        }
        return found;
    }

    private static void assertSame(HeldMessages held, Model model) {
        List<String> actual = new ArrayList<>();
        held.visit((m, packetId, released) -> actual.add(m.seq() + "/" + packetId + "/" + released));
        List<String> expected = new ArrayList<>();
        model.held.forEach((seq, h) -> expected.add(seq + "/" + h[1] + "/" + (h[2] == 1)));
        assertThat(actual).isEqualTo(expected);
        assertThat(held.size()).isEqualTo(model.held.size());
        assertThat(held.bytes()).isEqualTo(model.held.values().stream().mapToLong(h -> h[0]).sum());
    }
}
