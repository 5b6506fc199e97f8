package io.gannet.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InflightWindowTest {
    private static final Message M = new Message("t", 1, false, new byte[0], MqttProperties.EMPTY, "p");

    private static Delivery delivery() {
        return new Delivery(0, M, 1, false, null, null, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void behavesLikeAnOrderedSetUnderRandomAcks(long seed) {
        Random r = new Random(seed);
        // Seeds 1-4 stay within the first ring; 5-8 make it grow (and compact) while acks come out of order.
        InflightWindow w = new InflightWindow(seed <= 4 ? 8 : 100);
        List<Integer> model = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            if (!w.isFull() && (model.isEmpty() || r.nextInt(3) > 0)) {
                int id = w.add(delivery()).packetId;
                assertThat(model).doesNotContain(id);
                model.add(id);
            } else {
                // mostly in order, sometimes out of order
                int idx = r.nextInt(4) == 0 ? r.nextInt(model.size()) : 0;
                int id = model.remove(idx);
                assertThat(w.remove(id)).isNotNull();
            }
            assertThat(w.size()).isEqualTo(model.size());
            List<Integer> order = new ArrayList<>();
            w.forEach(e -> order.add(e.packetId));
            assertThat(order).isEqualTo(model);
        }
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {1, 2, 32, 256, 1000})
    void fillsDrainsAndRefills(int capacity) {
        InflightWindow w = new InflightWindow(capacity);
        for (int round = 0; round < 3; round++) {
            Set<Integer> ids = new HashSet<>();
            while (!w.isFull()) {
                ids.add(w.add(delivery()).packetId);
            }
            assertThat(ids).hasSize(capacity);
            for (int id : ids) {
                assertThat(w.find(id)).isNotNull();
                assertThat(w.remove(id)).isNotNull();
            }
            assertThat(w.isEmpty()).isTrue();
        }
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {1, 2, 32, 256})
    void aFullWindowAckedInOrderKeepsNoHoles(int capacity) {
        // The steady state of a slow subscriber: the window is full, each PUBACK frees the oldest slot, and the
        // next message takes it. The ring must not fill with holes (each add would then compact it).
        InflightWindow w = new InflightWindow(capacity);
        List<Integer> model = new ArrayList<>();
        while (!w.isFull()) {
            model.add(w.add(delivery()).packetId);
        }
        for (int step = 0; step < 200_000; step++) {
            assertThat(w.remove(model.remove(0))).isNotNull();
            assertThat(w.occupiedSlots()).isEqualTo(w.size());
            int id = w.add(delivery()).packetId;
            assertThat(model).doesNotContain(id);
            model.add(id);
        }
    }

    @Test
    void growsOnlyAsFarAsTheClientKeepsMessagesInFlight() {
        InflightWindow w = new InflightWindow(1024);
        for (int i = 0; i < 10_000; i++) { // one at a time, as most clients take them
            w.remove(w.add(delivery()).packetId);
        }
        assertThat(w.slotCount()).isEqualTo(InflightWindow.INITIAL_SLOTS);

        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(w.add(delivery()).packetId);
        }
        assertThat(w.slotCount()).isEqualTo(128);
        List<Integer> order = new ArrayList<>();
        w.forEach(e -> order.add(e.packetId));
        assertThat(order).isEqualTo(ids);

        while (!w.isFull()) {
            w.add(delivery());
        }
        assertThat(w.size()).isEqualTo(1024);
        assertThat(w.slotCount()).isEqualTo(1024);
    }

    @Test
    void aReceiveMaximumBelowTheWindowBoundsTheRingToo() {
        InflightWindow w = new InflightWindow(65_535);
        w.limit(20);
        while (!w.isFull()) {
            w.add(delivery());
        }
        assertThat(w.size()).isEqualTo(20);
        assertThat(w.slotCount()).isEqualTo(32);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void skipsTheIdsOfDeliveriesStuckWhileTheCounterWrapsAround(long seed) {
        // A few deliveries stay unacknowledged while hundreds of thousands of others come and go: the ids that come
        // round again must skip the stuck ones [MQTT-2.2.1-4].
        Random r = new Random(seed);
        InflightWindow w = new InflightWindow(16);
        Set<Integer> stuck = new HashSet<>();
        List<Integer> flowing = new ArrayList<>();
        for (int step = 0; step < 400_000; step++) {
            if (!w.isFull()) {
                int id = w.add(delivery()).packetId;
                assertThat(stuck).doesNotContain(id);
                assertThat(flowing).doesNotContain(id);
                if (stuck.size() < 3 && r.nextInt(50_000) == 0) {
                    stuck.add(id);
                } else {
                    flowing.add(id);
                }
            } else {
                assertThat(w.remove(flowing.remove(0))).isNotNull();
            }
        }
        assertThat(stuck).isNotEmpty();
        for (int id : stuck) {
            assertThat(w.find(id)).isNotNull();
        }
    }
}
