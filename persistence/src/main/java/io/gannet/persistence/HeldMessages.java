package io.gannet.persistence;

import io.gannet.broker.store.StoredMessage;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The messages one persistent session holds, queued or in flight, in sequence order, which is the order they
 * reached the session: the core numbers a session's messages as they arrive.
 *
 * <p>Parallel arrays, not a map of entries: the state adds no object per message. That matters to the collector
 * more than to the writer thread. The map entries, boxed keys and holders a message used to cost outlived it in
 * the young generation whenever a session's queue was deep (a fan-in subscriber holds tens of thousands), and G1,
 * copying them on every pause, shrank the young generation to meet its pause goal and then collected many times
 * a second.
 *
 * <p>Entries leave mostly in order (acknowledgements follow sends), so removal clears a slot and the live range's
 * start moves past cleared slots. A slot cleared behind a message that stays (one never acknowledged) is squeezed
 * out when the arrays fill, which keeps adding amortised constant time. Touched by one thread at a time.
 */
final class HeldMessages {
    private static final int FIRST_CAPACITY = 8;
    /** Arrays this large are let go when the session holds nothing again, so a drained burst frees its memory. */
    private static final int KEEP_WHEN_EMPTY = 1024;
    /** Set in a packet id slot once the message's PUBREC came (QoS 2, waiting for PUBCOMP). */
    private static final int RELEASED = 1 << 16;
    private static final int PACKET_ID = RELEASED - 1;

    private long[] seqs;
    private StoredMessage[] messages; // null in a cleared slot
    private int[] recordBytes;
    private int[] packetIds; // 0 while queued; the packet id, with RELEASED, once sent
    private int head;
    private int tail;
    private int size;
    /** Where the next message to be sent is likely to be: sends follow the order of the queue. */
    private int sendHint;
    private final PacketIdIndex inflight = new PacketIdIndex();

    /** What {@link #visit} shows of each held message; it may throw what its caller throws. */
    interface Visitor<E extends Exception> {
        void held(StoredMessage message, int packetId, boolean released) throws E;
    }

    int size() {
        return size;
    }

    /**
     * Adds {@code message} with the size of its record; returns the record size of the message it replaced (the
     * same sequence number, as replay may see twice), or -1.
     */
    int add(StoredMessage message, int bytes) {
        long seq = message.seq();
        if (seqs == null) {
            allocate(FIRST_CAPACITY);
        }
        if (tail > head && seqs[tail - 1] >= seq) {
            return insert(message, bytes);
        }
        if (tail == seqs.length) {
            makeRoom();
        }
        set(tail++, message, bytes);
        size++;
        return -1;
    }

    /** Marks the message {@code seq} as sent with {@code packetId}, no longer released. */
    void sent(long seq, int packetId) {
        int i = sendHint >= head && sendHint < tail && seqs[sendHint] == seq && messages[sendHint] != null
                ? sendHint
                : indexOf(seq);
        if (i >= 0) {
            packetIds[i] = packetId;
            inflight.put(packetId, seq);
            sendHint = i + 1;
        }
    }

    /** Marks the in-flight message with {@code packetId} as released: its PUBREC came. */
    void released(int packetId) {
        int i = indexOfPacket(packetId);
        if (i >= 0) {
            packetIds[i] |= RELEASED;
        }
    }

    /** Removes the message {@code seq}; returns its record size, or -1 when it is not held. */
    int removeSeq(long seq) {
        int i = indexOf(seq);
        return i < 0 ? -1 : clear(i);
    }

    /** Removes the in-flight message with {@code packetId}; returns its record size, or -1 when none is held. */
    int removePacket(int packetId) {
        int i = indexOfPacket(packetId);
        return i < 0 ? -1 : clear(i);
    }

    /** Removes the queued (not yet sent) messages {@code expired} accepts; returns their total record size. */
    long removeQueuedIf(Predicate<StoredMessage> expired) {
        long bytes = 0;
        for (int i = head; i < tail; i++) {
            if (messages[i] != null && packetIds[i] == 0 && expired.test(messages[i])) {
                bytes += clear(i);
            }
        }
        return bytes;
    }

    /** Shows every held message to {@code visitor}, in order. */
    <E extends Exception> void visit(Visitor<E> visitor) throws E {
        for (int i = head; i < tail; i++) {
            if (messages[i] != null) {
                visitor.held(messages[i], packetIds[i] & PACKET_ID, (packetIds[i] & RELEASED) != 0);
            }
        }
    }

    /** The total record size of every held message. */
    long bytes() {
        long bytes = 0;
        for (int i = head; i < tail; i++) {
            if (messages[i] != null) {
                bytes += recordBytes[i];
            }
        }
        return bytes;
    }

    private int indexOfPacket(int packetId) {
        long seq = inflight.get(packetId);
        if (seq < 0) {
            return -1;
        }
        int i = indexOf(seq);
        return i >= 0 && (packetIds[i] & PACKET_ID) == packetId ? i : -1;
    }

    /** The slot of the live message {@code seq}, or -1. */
    private int indexOf(long seq) {
        if (size == 0) {
            return -1;
        }
        if (seqs[head] == seq) { // acknowledgements mostly come in order
            return head;
        }
        // A deep queue's middle is cold in the cache: a search costs a miss per step, so it is the slow path.
        int i = Arrays.binarySearch(seqs, head, tail, seq);
        return i >= 0 && messages[i] != null ? i : -1;
    }

    private int clear(int i) {
        int bytes = recordBytes[i];
        int packetId = packetIds[i] & PACKET_ID;
        if (packetId != 0) {
            inflight.remove(packetId, seqs[i]);
        }
        messages[i] = null;
        packetIds[i] = 0;
        size--;
        if (size == 0) {
            head = 0;
            tail = 0;
            if (seqs.length > KEEP_WHEN_EMPTY) {
                seqs = null;
                messages = null;
                recordBytes = null;
                packetIds = null;
            }
        } else if (i == head) {
            while (messages[head] == null) {
                head++;
            }
        }
        return bytes;
    }

    /** Inserts a message that does not come after every held one: only replay does this, if ever. */
    private int insert(StoredMessage message, int bytes) {
        int i = Arrays.binarySearch(seqs, head, tail, message.seq());
        if (i >= 0) {
            int old = messages[i] == null ? -1 : recordBytes[i];
            if (old < 0) {
                size++;
            } else if ((packetIds[i] & PACKET_ID) != 0) {
                inflight.remove(packetIds[i] & PACKET_ID, seqs[i]);
            }
            set(i, message, bytes);
            return old;
        }
        if (tail == seqs.length) {
            makeRoom();
            i = Arrays.binarySearch(seqs, head, tail, message.seq());
        }
        int at = -i - 1;
        System.arraycopy(seqs, at, seqs, at + 1, tail - at);
        System.arraycopy(messages, at, messages, at + 1, tail - at);
        System.arraycopy(recordBytes, at, recordBytes, at + 1, tail - at);
        System.arraycopy(packetIds, at, packetIds, at + 1, tail - at);
        tail++;
        set(at, message, bytes);
        size++;
        return -1;
    }

    private void set(int i, StoredMessage message, int bytes) {
        seqs[i] = message.seq();
        messages[i] = message;
        recordBytes[i] = bytes;
        packetIds[i] = 0;
    }

    /** Squeezes out cleared slots, into arrays twice as large when more than half the slots are live. */
    private void makeRoom() {
        int capacity = size > seqs.length / 2 ? seqs.length * 2 : seqs.length;
        long[] s = capacity == seqs.length ? seqs : new long[capacity];
        StoredMessage[] m = capacity == seqs.length ? messages : new StoredMessage[capacity];
        int[] r = capacity == seqs.length ? recordBytes : new int[capacity];
        int[] p = capacity == seqs.length ? packetIds : new int[capacity];
        int n = 0;
        for (int i = head; i < tail; i++) {
            if (messages[i] != null) {
                s[n] = seqs[i];
                m[n] = messages[i];
                r[n] = recordBytes[i];
                p[n] = packetIds[i];
                n++;
            }
        }
        Arrays.fill(m, n, capacity, null);
        seqs = s;
        messages = m;
        recordBytes = r;
        packetIds = p;
        head = 0;
        tail = n;
    }

    private void allocate(int capacity) {
        seqs = new long[capacity];
        messages = new StoredMessage[capacity];
        recordBytes = new int[capacity];
        packetIds = new int[capacity];
    }
}
