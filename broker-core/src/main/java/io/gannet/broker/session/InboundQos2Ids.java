package io.gannet.broker.session;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Packet ids of QoS 2 messages received from the client and not yet released with PUBREL. A resend under such an
 * id is acknowledged but not routed again [MQTT-4.3.3-10]; the ids survive reconnects [MQTT-4.3.3] and, in a
 * persistent session, restarts (the session's journal hears of each). Touched on the session's event loop only; the
 * bit set is made on first use, so sessions that never receive QoS 2 pay nothing.
 *
 * <p>An id whose PUBREC still waits (for a journal or an interceptor's hold) keeps that wait, its gate: a resend under
 * the id must wait for the same gate, since the message is not kept until it completes, and a gate that fails ends
 * only its own flow, never a later one that reuses the id.
 */
public final class InboundQos2Ids {
    private final Session session;
    private BitSet ids;
    private int count;
    /** Gates of ids whose PUBREC still waits; made when the first one waits. Bounded by the receive maximum. */
    private Map<Integer, CompletableFuture<Void>> gates;

    InboundQos2Ids(Session session) {
        this.session = session;
    }

    /**
     * Records a received id.
     *
     * @return what the PUBREC must wait for (the journal keeping the id), or {@code null} when nothing, also when the
     *         id was pending already
     */
    public CompletableFuture<Void> received(int packetId) {
        if (!add(packetId) || !session.isDurable()) {
            return null;
        }
        CompletableFuture<Void> kept = session.journal().inboundQos2Stored(packetId);
        return kept.isDone() && !kept.isCompletedExceptionally() ? null : kept;
    }

    /** The PUBREC of {@code packetId} is sent when {@code gate} completes. */
    public void awaiting(int packetId, CompletableFuture<Void> gate) {
        if (gates == null) {
            gates = new HashMap<>();
        }
        gates.put(packetId, gate);
    }

    /** What the PUBREC of a pending id still waits for, or {@code null} if the message is kept already. */
    public CompletableFuture<Void> gate(int packetId) {
        CompletableFuture<Void> gate = gates == null ? null : gates.get(packetId);
        if (gate != null && gate.isDone() && !gate.isCompletedExceptionally()) {
            gates.remove(packetId);
            return null;
        }
        return gate;
    }

    /**
     * The message under {@code packetId} was not kept ({@code gate} failed or timed out): its flow ends, so that the
     * client may send it again. Does nothing if the id has moved on to another flow meanwhile.
     */
    public void failed(int packetId, CompletableFuture<Void> gate) {
        if (gates != null && gates.get(packetId) == gate) {
            released(packetId);
        }
    }

    public boolean isPending(int packetId) {
        return ids != null && ids.get(packetId);
    }

    /** PUBREL (or a flow ended by an error): forgets the id; returns whether it was pending. */
    public boolean released(int packetId) {
        if (!isPending(packetId)) {
            return false;
        }
        ids.clear(packetId);
        count--;
        if (gates != null) {
            gates.remove(packetId);
        }
        session.journal().inboundQos2Released(packetId);
        return true;
    }

    public int pending() {
        return count;
    }

    /** Puts back an id of a recovered session, without telling its journal again. */
    void restore(int packetId) {
        add(packetId);
    }

    private boolean add(int packetId) {
        if (ids == null) {
            ids = new BitSet();
        }
        if (ids.get(packetId)) {
            return false;
        }
        ids.set(packetId);
        count++;
        return true;
    }

    void clear() {
        ids = null;
        gates = null;
        count = 0;
    }
}
