package io.gannet.broker.session;

/**
 * The QoS 1 and 2 messages sent to a client and not yet acknowledged, in send order, bounded by a capacity
 * (the in-flight window). A ring of slots: acknowledgements mostly come in order, so the oldest slot is checked
 * first and removal is O(1) in the common case; an out-of-order acknowledgement leaves a hole that the head skips.
 * The ring starts small and doubles up to the capacity only when a client keeps that many in flight: a window
 * large enough for a busy consumer costs nothing for the many clients that get a message now and then.
 * Touched only on the session's event loop.
 */
final class InflightWindow {
    /** Slots the ring starts with; it doubles up to the capacity as needed. */
    static final int INITIAL_SLOTS = 16;

    private final int capacity;
    private Delivery[] slots;
    /** How many may be in flight now: the configured window, lowered to a 5.0 client's Receive Maximum. */
    private int limit;
    private int head;
    private int tail;
    private int count;
    private int nextPacketId = 1;
    /** How many times {@link #nextPacketId} has moved on, ids skipped included. */
    private long idSteps;

    InflightWindow(int capacity) {
        this.capacity = capacity;
        slots = new Delivery[Math.min(capacity, INITIAL_SLOTS)];
        limit = capacity;
    }

    /** Lowers (or restores) how many may be in flight; entries already in flight stay. */
    void limit(int newLimit) {
        limit = Math.max(1, Math.min(newLimit, capacity));
    }

    int size() {
        return count;
    }

    boolean isFull() {
        return count >= limit;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Adds a QoS 1 or 2 delivery under a fresh packet id, one not in use in this window [MQTT-2.2.1-4], and returns
     * it with the id set.
     */
    Delivery add(Delivery d) {
        if (count >= capacity) {
            throw new IllegalStateException("in-flight window full");
        }
        if (occupiedSlots() == slots.length) {
            // Full of entries, or of entries and holes. Grow while more than half are live, so that a window kept
            // nearly full is not compacted again and again for the few holes out-of-order acks leave.
            relayout(count > slots.length / 2 && slots.length < capacity
                    ? Math.min(capacity, slots.length * 2) : slots.length);
        }
        d.packetId = nextFreePacketId();
        d.idStep = idSteps - 1; // the step the id took
        d.stage = d.qos == 1 ? Delivery.Stage.AWAITING_PUBACK : Delivery.Stage.AWAITING_PUBREC;
        append(d);
        return d;
    }

    /**
     * Puts back a delivery a recovered session had in flight, under the packet id it was sent with, after those
     * restored before it. Packet ids then continue after the highest restored one.
     */
    void restore(Delivery d, int packetId, boolean released) {
        if (occupiedSlots() == slots.length) {
            relayout(slots.length * 2); // beyond the capacity if a smaller window is configured now: none is lost
        }
        d.packetId = packetId;
        d.idStep = idSteps++;
        d.stage = released ? Delivery.Stage.AWAITING_PUBCOMP
                : d.qos == 1 ? Delivery.Stage.AWAITING_PUBACK : Delivery.Stage.AWAITING_PUBREC;
        nextPacketId = packetId == 65_535 ? 1 : packetId + 1;
        append(d);
    }

    private void append(Delivery d) {
        slots[tail] = d;
        tail = (tail + 1) % slots.length;
        count++;
    }

    Delivery find(int packetId) {
        for (int i = 0, idx = head; i < occupiedSlots(); i++, idx = (idx + 1) % slots.length) {
            Delivery e = slots[idx];
            if (e != null && e.packetId == packetId) {
                return e;
            }
        }
        return null;
    }

    /** Removes the delivery with this packet id; returns it, or {@code null} if there is none. */
    Delivery remove(int packetId) {
        for (int i = 0, idx = head; i < occupiedSlots(); i++, idx = (idx + 1) % slots.length) {
            Delivery e = slots[idx];
            if (e != null && e.packetId == packetId) {
                slots[idx] = null;
                count--;
                if (count == 0) {
                    head = tail = 0;
                } else {
                    // Not "while head != tail": in a full ring head == tail, and head must still move past the hole,
                    // or every later add would find the ring full of holes and compact it.
                    while (slots[head] == null) {
                        head = (head + 1) % slots.length;
                    }
                }
                return e;
            }
        }
        return null;
    }

    /** Visits the deliveries in send order, for resending on reconnect. */
    void forEach(java.util.function.Consumer<Delivery> action) {
        int n = occupiedSlots();
        for (int i = 0, idx = head; i < n; i++, idx = (idx + 1) % slots.length) {
            if (slots[idx] != null) {
                action.accept(slots[idx]);
            }
        }
    }

    /** The deliveries in send order, copied: the caller may remove entries while it walks them. */
    java.util.List<Delivery> inOrder() {
        java.util.List<Delivery> copy = new java.util.ArrayList<>(count);
        forEach(copy::add);
        return copy;
    }

    void clear() {
        java.util.Arrays.fill(slots, null);
        head = tail = count = 0;
    }

    /** Slots between head and tail, holes included; package-private for tests. */
    int occupiedSlots() {
        if (count == 0) {
            return 0;
        }
        int n = (tail - head + slots.length) % slots.length;
        return n == 0 ? slots.length : n;
    }

    /** Slots in the ring now; package-private for tests. */
    int slotCount() {
        return slots.length;
    }

    /** Moves the entries, in send order and without the holes between them, into a new ring of this length. */
    private void relayout(int length) {
        Delivery[] next = new Delivery[length];
        int k = 0;
        int n = occupiedSlots();
        for (int i = 0, idx = head; i < n; i++, idx = (idx + 1) % slots.length) {
            if (slots[idx] != null) {
                next[k++] = slots[idx];
            }
        }
        slots = next;
        head = 0;
        tail = k % length;
    }

    /**
     * The next packet id not in use in this window [MQTT-2.2.1-4], in O(1) unless a delivery has waited for its
     * acknowledgement while 65,535 ids went by. Ids are handed out from one counter and the window keeps send order,
     * so every id in flight was taken at or after the oldest entry's step: the next id can only be one of them once
     * the counter has gone all the way round since that step.
     */
    private int nextFreePacketId() {
        while (true) {
            int id = nextPacketId;
            nextPacketId = id == 65_535 ? 1 : id + 1;
            long step = idSteps++;
            if (count == 0 || step - slots[head].idStep < 65_535 || find(id) == null) {
                return id;
            }
        }
    }
}
