package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
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
 * <p>Gates complete on other threads (a durable store completes a whole batch of them at once on its writer
 * thread). Each completed one is pushed onto a lock-free stack, and only the push that finds the stack empty hands
 * the loop a task, which settles all that arrived meanwhile: one task per batch rather than one per message.
 */
final class AcknowledgementOrder {
    private final class Held implements BiConsumer<Void, Throwable> {
        MqttPacket ack;
        boolean ready;
        boolean close;
        String closeReason;
        Function<Throwable, MqttPacket> onFailure;
        /** The tick it was held in. */
        int heldAt;
        /** How the gate completed and the next one completed before it; written before the push publishes them. */
        Throwable error;
        Held nextCompleted;

        Held(MqttPacket ack, boolean ready) {
            this.ack = ack;
            this.ready = ready;
        }

        /** The gate completed, on whatever thread completed it. */
        @Override
        public void accept(Void ok, Throwable error) {
            this.error = error;
            Held head;
            do {
                head = completed;
                nextCompleted = head;
            } while (!COMPLETED.compareAndSet(AcknowledgementOrder.this, head, this));
            if (head == null) {
                connection.eventLoop().execute(AcknowledgementOrder.this::settleCompleted);
            }
        }
    }

    // A field updater rather than an AtomicReference: no extra object for each of many idle connections.
    private static final AtomicReferenceFieldUpdater<AcknowledgementOrder, Held> COMPLETED =
            AtomicReferenceFieldUpdater.newUpdater(AcknowledgementOrder.class, Held.class, "completed");

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
    /** Held acknowledgements whose gate completed, newest first, not yet settled on the loop. */
    private volatile Held completed;

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
            held.add(new Held(ack, true));
        }
    }

    /**
     * Sends {@code ack} once {@code gate} completes normally, and in order. If the gate fails or does not complete
     * within the acknowledgement timeout, {@code onFailure} gives the acknowledgement to send instead, or
     * {@code null} to close the connection without one (so that a 3.1.1 client sends the message again).
     */
    void writeWhen(CompletableFuture<Void> gate, MqttPacket ack, Function<Throwable, MqttPacket> onFailure) {
        Held h = new Held(ack, false);
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
        gate.whenComplete(h);
    }

    /** On the loop: settles every held acknowledgement whose gate completed since the last call, then sends. */
    private void settleCompleted() {
        for (Held h = COMPLETED.getAndSet(this, null); h != null; ) {
            Held next = h.nextCompleted;
            h.nextCompleted = null;
            if (!h.ready) { // not timed out meanwhile
                settle(h, h.error);
            }
            h.error = null;
            h = next;
        }
        flush();
    }

    private void settle(Held h, Throwable error) {
        h.ready = true;
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
            if (h.ready) {
                continue;
            }
            if (ticks - h.heldAt <= TICKS_PER_TIMEOUT) {
                break;
            }
            settle(h, new TimeoutException("no answer within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                    + " s"));
        }
        flush();
        timer = held.isEmpty() ? null : scheduleTick();
    }

    private ScheduledFuture<?> scheduleTick() {
        return connection.eventLoop().schedule(this::tick, timeoutNanos / TICKS_PER_TIMEOUT, TimeUnit.NANOSECONDS);
    }

    private void flush() {
        while (!held.isEmpty() && held.peek().ready) {
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
