package io.gannet.benchmarks.load;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives the publishers of one event loop: every millisecond it hands out the sends the target rate allows (or,
 * with no target, as many as the sockets and the end-to-end window take, up to a batch per publisher), each
 * publisher flushing once per tick. Also sends keep-alive pings for every connection of the loop. One timer per
 * loop, not per connection.
 *
 * <p>With no target rate, the end-to-end window keeps the measurement honest: a broker that reads faster than it
 * delivers would otherwise buffer without bound, and what it buffered would arrive after the run, or never.
 */
final class Pacer {
    /** The most a publisher sends in one tick with no target rate: bounds each tick's work. */
    static final int MAX_BATCH = 256;
    /** Credit never builds up beyond this much time's worth, so a stall is not followed by a burst. */
    private static final long MAX_CREDIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final EventLoop loop;
    private final List<BenchConnection> publishers = new ArrayList<>();
    private final List<BenchConnection> all = new ArrayList<>();
    private double ratePerSecond;
    private double credit;
    private long lastTick;
    private long lastPing;
    private int next;
    private volatile boolean sending;
    private ScheduledFuture<?> timer;
    private final long pingIntervalNanos;
    private final Stats stats;
    private final int deliveriesPerMessage;
    /** With no target rate: the most messages, of all publishers on all loops, sent and not yet delivered. */
    private long windowMessages;

    Pacer(EventLoop loop, int keepAliveSeconds, Stats stats, int deliveriesPerMessage) {
        this.loop = loop;
        this.stats = stats;
        this.deliveriesPerMessage = deliveriesPerMessage;
        this.pingIntervalNanos = keepAliveSeconds == 0 ? Long.MAX_VALUE
                : TimeUnit.SECONDS.toNanos(keepAliveSeconds) / 2;
    }

    EventLoop loop() {
        return loop;
    }

    void add(BenchConnection c) {
        loop.execute(() -> {
            all.add(c);
            if (c.isPublisher()) {
                publishers.add(c);
            }
        });
    }

    int publisherCountOnLoop() {
        return publishers.size();
    }

    /**
     * Starts the ticks.
     *
     * @param rate           messages per second for this loop's publishers together, 0 for no limit
     * @param windowMessages with no limit: the most messages of all publishers together sent and not yet delivered
     */
    void start(double rate, long windowMessages) {
        loop.execute(() -> {
            ratePerSecond = rate;
            this.windowMessages = windowMessages;
            lastTick = System.nanoTime();
            lastPing = lastTick;
            timer = loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.MILLISECONDS);
        });
    }

    void sending(boolean on) {
        sending = on;
    }

    void stop() {
        loop.execute(() -> {
            if (timer != null) {
                timer.cancel(false);
            }
        });
    }

    private void tick() {
        long now = System.nanoTime();
        if (now - lastPing >= pingIntervalNanos) {
            lastPing = now;
            for (BenchConnection c : all) {
                c.ping();
            }
        }
        long elapsed = Math.min(now - lastTick, MAX_CREDIT_NANOS);
        lastTick = now;
        if (!sending || publishers.isEmpty()) {
            credit = 0;
            return;
        }
        int n = publishers.size();
        if (ratePerSecond <= 0) {
            long room = windowMessages - stats.undelivered(deliveriesPerMessage);
            for (int tries = 0; tries < n && room > 0; tries++) {
                BenchConnection p = publishers.get(next);
                next = (next + 1) % n;
                room -= p.send((int) Math.min(MAX_BATCH, room));
            }
            return;
        }
        credit += ratePerSecond * elapsed / 1e9;
        // Round robin from where the last tick stopped, so no publisher is always first or always starved.
        int share = (int) Math.max(1, Math.ceil(credit / n));
        for (int tries = 0; tries < n && credit >= 1; tries++) {
            BenchConnection p = publishers.get(next);
            next = (next + 1) % n;
            credit -= p.send((int) Math.min(share, credit));
        }
        // The broker cannot keep up: do not bank the shortfall. Never below one message, or a rate under 50 msg/s
        // (less than one message per 20 ms) would be clamped below what a send takes and never send at all.
        double maxCredit = Math.max(1, ratePerSecond * MAX_CREDIT_NANOS / 1e9);
        if (credit > maxCredit) {
            credit = maxCredit;
        }
    }
}
