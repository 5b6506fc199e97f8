package io.gannet.cluster;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the links between nodes did, for {@code $SYS/broker/cluster/...}. */
final class LinkCounters {
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder sharedMissed = new LongAdder();
    private final AtomicInteger linksUp = new AtomicInteger();

    void sent() {
        sent.increment();
    }

    void dropped() {
        dropped.increment();
    }

    void received() {
        received.increment();
    }

    /** A link or frame this node did not accept: unknown node, other format, malformed frame. */
    void refused() {
        refused.increment();
    }

    /** A message placed with this node's members of a shared group, which had none left when it came. */
    void sharedMissed() {
        sharedMissed.increment();
    }

    long sharedMissedCount() {
        return sharedMissed.sum();
    }

    void linkUp() {
        linksUp.incrementAndGet();
    }

    void linkDown() {
        linksUp.decrementAndGet();
    }

    long sentCount() {
        return sent.sum();
    }

    long droppedCount() {
        return dropped.sum();
    }

    long receivedCount() {
        return received.sum();
    }

    long refusedCount() {
        return refused.sum();
    }

    int linksUp() {
        return linksUp.get();
    }
}
