package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttPacket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Sends a connection's PUBACKs and PUBRECs in the order their PUBLISHes came [MQTT-4.6.0-2, MQTT-4.6.0-3], also when
 * an inbound interceptor holds some of them until a plugin says the message is safe. With nothing held, an
 * acknowledgement is written at once, without allocation. Runs on the connection's event loop.
 *
 * <p>Held acknowledgements are bounded: at {@code limit} the connection stops reading until the oldest is sent, so
 * a client that ignores Receive Maximum (or a 3.1.1 client) cannot pile up unbounded state.
 */
final class AcknowledgementOrder {
    private static final class Held {
        MqttPacket ack;
        boolean ready;
        boolean close;
        String closeReason;

        Held(MqttPacket ack, boolean ready) {
            this.ack = ack;
            this.ready = ready;
        }
    }

    private final MqttConnection connection;
    private final int limit;
    private final long timeoutSeconds;
    private final ArrayDeque<Held> held = new ArrayDeque<>(1); // mostly empty: grows by doubling when it must
    private boolean suspended;

    AcknowledgementOrder(MqttConnection connection, int limit, long timeoutSeconds) {
        this.connection = connection;
        this.limit = limit;
        this.timeoutSeconds = timeoutSeconds;
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
        held.add(h);
        if (held.size() >= limit && !suspended) {
            suspended = true;
            connection.suspendInput();
        }
        gate.orTimeout(timeoutSeconds, TimeUnit.SECONDS).whenComplete((ok, error) -> connection.eventLoop()
                .execute(() -> {
                    h.ready = true;
                    if (error != null) {
                        h.ack = onFailure.apply(error);
                        if (h.ack == null) {
                            h.close = true;
                            h.closeReason = "the message was not accepted (" + error + ")";
                        }
                    }
                    flush();
                }));
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
