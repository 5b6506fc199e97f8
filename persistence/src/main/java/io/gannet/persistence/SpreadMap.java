package io.gannet.persistence;

import java.util.Collection;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A map of {@code long} keys to values without boxing, for keys that come in runs: session keys, message sequence
 * numbers, packet ids. Agrona's map probes linearly, so a run of consecutive keys fills a run of consecutive slots,
 * and removing the oldest key (as acknowledgements do, in order) then walks the whole run to close the gap: with a
 * subscriber 50,000 messages behind, that walk was half of the journal writer's time. The keys are stored through
 * a bijective mix (multiply by an odd constant, then fold), which scatters a run like random keys; nothing can
 * collide, since a bijection maps distinct keys to distinct keys.
 */
final class SpreadMap<V> {
    private final Long2ObjectHashMap<V> map;

    SpreadMap(int initialCapacity) {
        map = new Long2ObjectHashMap<>(initialCapacity, 0.65f);
    }

    private static long spread(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 32);
    }

    V get(long key) {
        return map.get(spread(key));
    }

    V put(long key, V value) {
        return map.put(spread(key), value);
    }

    V remove(long key) {
        return map.remove(spread(key));
    }

    int size() {
        return map.size();
    }

    /** The values, in no particular order. */
    Collection<V> values() {
        return map.values();
    }
}
