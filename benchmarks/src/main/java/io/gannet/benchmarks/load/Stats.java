package io.gannet.benchmarks.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a run counts: messages sent and received, and the end-to-end latency of each received message. Only
 * messages <em>sent</em> inside the measurement window count, wherever they arrive, so a message sent in the
 * window and delivered just after it is neither lost nor double-counted. Latencies go to an HdrHistogram
 * {@link Recorder}, which the event loops write without locks.
 */
final class Stats {
    private final LongAdder sentAll = new LongAdder();
    private final LongAdder receivedAll = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(1), 3);
    private final Histogram total = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;

    void window(long startNanos, long endNanos) {
        windowStart = startNanos;
        windowEnd = endNanos;
    }

    boolean inWindow(long nanos) {
        return nanos - windowStart >= 0 && nanos - windowEnd < 0;
    }

    void sent(long nanos) {
        sentAll.increment();
        if (inWindow(nanos)) {
            sent.increment();
        }
    }

    void received(long sentNanos, long nowNanos) {
        receivedAll.increment();
        if (inWindow(sentNanos)) {
            received.increment();
            recorder.recordValue(Math.min(Math.max(0, (nowNanos - sentNanos) / 1000), total.getHighestTrackableValue()));
        }
    }

    void acked() {
        acked.increment();
    }

    /** Moves the latencies recorded since the last call into the run's total; returns them. */
    synchronized Histogram interval() {
        Histogram h = recorder.getIntervalHistogram();
        total.add(h);
        return h;
    }

    synchronized Histogram total() {
        interval();
        return total.copy();
    }

    long sentAll() {
        return sentAll.sum();
    }

    long receivedAll() {
        return receivedAll.sum();
    }

    long sentInWindow() {
        return sent.sum();
    }

    long receivedInWindow() {
        return received.sum();
    }

    /**
     * Messages sent and not yet delivered to every subscriber, from the counts of all connections: an estimate
     * while deliveries of different messages interleave, exact when the pipeline is empty.
     */
    long undelivered(int deliveriesPerMessage) {
        return sentAll.sum() - receivedAll.sum() / deliveriesPerMessage;
    }

    long ackedCount() {
        return acked.sum();
    }
}
