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
    /**
     * Index 0: latencies outside the window, recorded and never read; index 1: {@link #recorder}. Warm-up records
     * just as the measurement does, so the JIT compiles the path the measurement takes: a branch first taken when
     * the window opens would deoptimize the generator's read loop and show as the broker's latency.
     */
    private final Recorder[] recorders = {new Recorder(TimeUnit.MINUTES.toMicros(1), 3), recorder};
    private final Histogram total = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;

    void window(long startNanos, long endNanos) {
        windowStart = startNanos;
        windowEnd = endNanos;
    }

    /** 1 inside the window, 0 outside, without a branch (see {@link #recorders}). */
    private long windowBit(long nanos) {
        return (((nanos - windowStart) >>> 63) ^ 1) & ((nanos - windowEnd) >>> 63);
    }

    void sent(long nanos) {
        sentAll.increment();
        sent.add(windowBit(nanos));
    }

    void received(long sentNanos, long nowNanos) {
        receivedAll.increment();
        long in = windowBit(sentNanos);
        received.add(in);
        long micros = Math.min(Math.max(0, (nowNanos - sentNanos) / 1000), total.getHighestTrackableValue());
        recorders[(int) in].recordValue(micros);
    }

    void acked() {
        acked.increment();
    }

    /**
     * Moves the latencies recorded since the last call into the run's total; returns them, with those of messages
     * sent outside the window (warm-up) added, for the progress line.
     */
    synchronized Histogram interval() {
        Histogram h = recorder.getIntervalHistogram();
        total.add(h);
        h.add(recorders[0].getIntervalHistogram());
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
        if (deliveriesPerMessage == 0) {
            return 0; // nothing is delivered: QoS 1 and 2 publishers are paced by their in-flight window alone
        }
        return sentAll.sum() - receivedAll.sum() / deliveriesPerMessage;
    }

    long ackedCount() {
        return acked.sum();
    }
}
