package io.gannet.persistence;

/**
 * Packet id to sequence number, for a session's in-flight messages: open addressing on primitive arrays, so that
 * an entry costs no object. Packet ids are 1 to 65,535, so 0 marks a free slot. Removal shifts the entries after it
 * back (no tombstones), so lookups stay short however many ids come and go. Touched by one thread at a time.
 */
final class PacketIdIndex {
    private static final int FIRST_CAPACITY = 16;

    private int[] keys;
    private long[] values;
    private int size;

    /** The sequence number of {@code packetId}, or -1. */
    long get(int packetId) {
        if (keys == null) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int i = slot(packetId, mask); keys[i] != 0; i = (i + 1) & mask) {
            if (keys[i] == packetId) {
                return values[i];
            }
        }
        return -1;
    }

    void put(int packetId, long seq) {
        if (keys == null) {
            keys = new int[FIRST_CAPACITY];
            values = new long[FIRST_CAPACITY];
        }
        int mask = keys.length - 1;
        int i = slot(packetId, mask);
        while (keys[i] != 0) {
            if (keys[i] == packetId) {
                values[i] = seq;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = packetId;
        values[i] = seq;
        if (++size > keys.length / 2) {
            rehash(keys.length * 2);
        }
    }

    /** Removes {@code packetId} if it still names {@code seq}: a reused id belongs to a newer message. */
    void remove(int packetId, long seq) {
        if (keys == null) {
            return;
        }
        int mask = keys.length - 1;
        int i = slot(packetId, mask);
        while (keys[i] != packetId) {
            if (keys[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        if (values[i] != seq) {
            return;
        }
        size--;
        // Shift back each following entry of the run that may live in the freed slot.
        int free = i;
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            if (((j - home) & mask) >= ((j - free) & mask)) {
                keys[free] = keys[j];
                values[free] = values[j];
                free = j;
            }
        }
        keys[free] = 0;
        if (size == 0 && keys.length > FIRST_CAPACITY * 64) {
            keys = null; // a burst of in-flight messages is over: give its table back
            values = null;
        }
    }

    private void rehash(int capacity) {
        int[] oldKeys = keys;
        long[] oldValues = values;
        keys = new int[capacity];
        values = new long[capacity];
        int mask = capacity - 1;
        for (int k = 0; k < oldKeys.length; k++) {
            if (oldKeys[k] != 0) {
                int i = slot(oldKeys[k], mask);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[k];
                values[i] = oldValues[k];
            }
        }
    }

    private static int slot(int packetId, int mask) {
        // Spread: packet ids come in runs, and consecutive ids in consecutive slots would make one long cluster that
        // every removal walks to its end. A window's table is small enough to stay in the cache either way.
        int h = packetId * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }
}
