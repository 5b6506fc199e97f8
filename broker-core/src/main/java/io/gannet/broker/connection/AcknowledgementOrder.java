package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Sends a connection's PUBACKs and PUBRECs in the order their PUBLISHes came [MQTT-4.6.0-2, MQTT-4.6.0-3], also when
 * an inbound interceptor holds some of them until a plugin says the message is safe. With nothing held, an
 * acknowledgement is written at once, without allocation. Runs on the connection's event loop.
 *
 * <p>Held acknowledgements are bounded: at {@code limit} the connection stops reading until the oldest is sent, so
 * a client that ignores Receive Maximum (or a 3.1.1 client) cannot pile up unbounded state.
 *
 * <p>Their timeout is kept in ticks of an eighth of it, counted by one timer per connection that runs while any is
 * held, so that holding one reads no clock: a held acknowledgement fails between one and one and an eighth times the
 * timeout after it was held. A clock read per message was 2.6 % of an event loop's time with persistence on.
 *
 * <p>Gates may complete on other threads, and mostly in the order they were held: a durable store completes a
 * whole batch of them at once. So a callback waits on the oldest gate not completed only, and when it comes, the loop
 * settles every held acknowledgement from there whose gate has completed, and waits on the next that has not: one
 * callback and one task per batch rather than per message. A gate that completes before an older one waits for it,
 * as its acknowledgement would anyway.
 */
final class AcknowledgementOrder {
    private static final class Held {
        MqttPacket ack;
        /** What it waits for; {@code null} once it is ready. */
        CompletableFuture<Void> gate;
        boolean close;
        String closeReason;
        Function<Throwable, MqttPacket> onFailure;
        /** The tick it was held in. */
        int heldAt;

        Held(MqttPacket ack, CompletableFuture<Void> gate) {
            this.ack = ack;
            this.gate = gate;
        }

        boolean ready() {
            return gate == null;
        }
    }

    /**
     * Ticks in a timeout. A held acknowledgement has waited a full timeout once this many more have passed after the
     * one it was held in (which may have just begun).
     */
    private static final int TICKS_PER_TIMEOUT = 8;

    private final MqttConnection connection;
    private final int limit;
    private final long timeoutNanos;
    /** Timer runs so far: the clock of the held acknowledgements (an int wraps after years of 1 s timeouts). */
    private int ticks;
    private final ArrayDeque<Held> held = new ArrayDeque<>(1); // mostly empty: grows by doubling when it must
    private boolean suspended;
    /** The one timer that counts the ticks while anything is held; null when none runs. */
    private ScheduledFuture<?> timer;
    /**
     * The gate a callback waits on: that of the oldest held acknowledgement not ready, or {@code null}. One at a
     * time, because gates mostly complete in the order they were held (a store completes a batch at once).
     */
    private CompletableFuture<Void> watched;
    /** Made when a connection first waits, so that one that never does costs no object for it. */
    private Waiter waiter;

    /** The callback on {@link #watched}, on whatever thread completes it, and the loop task it hands on. */
    private final class Waiter implements BiConsumer<Void, Throwable>, Runnable {
        @Override
        public void accept(Void ok, Throwable error) {
            connection.eventLoop().execute(this);
        }

        @Override
        public void run() {
            settleCompleted();
        }
    }

    AcknowledgementOrder(MqttConnection connection, int limit, long timeoutSeconds) {
        this.connection = connection;
        this.limit = limit;
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    /** Sends {@code ack} now, or after the acknowledgements held before it. */
    void write(MqttPacket ack) {
        if (held.isEmpty()) {
            connection.write(ack);
        } else {
            held.add(new Held(ack, null));
        }
    }

    /**
     * Sends {@code ack} once {@code gate} completes normally, and in order. If the gate fails or does not complete
     * within the acknowledgement timeout, {@code onFailure} gives the acknowledgement to send instead, or
     * {@code null} to close the connection without one (so that a 3.1.1 client sends the message again).
     */
    void writeWhen(CompletableFuture<Void> gate, MqttPacket ack, Function<Throwable, MqttPacket> onFailure) {
        Held h = new Held(ack, gate);
        h.onFailure = onFailure;
        h.heldAt = ticks;
        held.add(h);
        if (held.size() >= limit && !suspended) {
            suspended = true;
            connection.suspendInput();
        }
        if (timer == null) {
            // One timer per connection rather than one per held acknowledgement, and only while any is held.
            timer = scheduleTick();
        }
        if (watched == null) {
            settleCompleted();
        }
    }

    /**
     * On the loop: settles the held acknowledgements whose gates completed, oldest first, up to the first whose gate
     * has not; waits for that one (unless it already does); then sends what is ready. A callback for a gate no
     * longer waited for (one that timed out) changes nothing.
     */
    private void settleCompleted() {
        CompletableFuture<Void> next = null;
        for (Held h : held) {
            if (h.ready()) {
                continue;
            }
            if (!h.gate.isDone()) {
                next = h.gate;
                break;
            }
            settle(h, failureOf(h.gate));
        }
        if (next != watched) {
            watched = next;
            if (next != null) {
                if (waiter == null) {
                    waiter = new Waiter();
                }
                next.whenComplete(waiter); // at once if it completed meanwhile: a task either way
            }
        }
        flush();
    }

    /** How a completed gate failed, or {@code null} if it did not. */
    private static Throwable failureOf(CompletableFuture<Void> gate) {
        if (!gate.isCompletedExceptionally()) {
            return null;
        }
        try {
            gate.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        }
    }

    private void settle(Held h, Throwable error) {
        h.gate = null;
        if (error != null) {
            h.ack = h.onFailure.apply(error);
            if (h.ack == null) {
                h.close = true;
                h.closeReason = "the message was not accepted (" + error + ")";
            }
        }
        h.onFailure = null;
    }

    /**
     * Counts a tick and fails the held acknowledgements whose gate did not complete in time: held ones came in order,
     * so the overdue ones are the oldest. Runs again while any is held.
     */
    private void tick() {
        ticks++;
        for (Held h : held) {
            if (h.ready()) {
                continue;
            }
            if (ticks - h.heldAt <= TICKS_PER_TIMEOUT) {
                break;
            }
            settle(h, new TimeoutException("no answer within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                    + " s"));
        }
        settleCompleted(); // waits for the gate that is now the oldest
        timer = held.isEmpty() ? null : scheduleTick();
    }

    private ScheduledFuture<?> scheduleTick() {
        return connection.eventLoop().schedule(this::tick, timeoutNanos / TICKS_PER_TIMEOUT, TimeUnit.NANOSECONDS);
    }

    private void flush() {
        while (!held.isEmpty() && held.peek().ready()) {
            Held h = held.poll();
            if (h.close) {
                held.clear();
                connection.disconnect(io.gannet.broker.codec.ReasonCode.UNSPECIFIED_ERROR, h.closeReason);
                return;
            }
            connection.write(h.ack);
        }
        if (suspended && held.size() < limit) {
            suspended = false;
            connection.resumeInput();
        }
    }

    /** Acknowledgements waiting; for tests. */
    int held() {
        return held.size();
    }
}
