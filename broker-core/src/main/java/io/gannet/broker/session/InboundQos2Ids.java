package io.gannet.broker.session;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * Packet ids of QoS 2 messages received from the client and not yet released with PUBREL. A resend under such an
 * id is acknowledged but not routed again [MQTT-4.3.3-10]; the ids survive reconnects [MQTT-4.3.3] and, in a
 * persistent session, restarts (the session's journal hears of each). Touched on the session's event loop only; the
 * bit set is made on first use, so sessions that never receive QoS 2 pay nothing.
 */
public final class InboundQos2Ids {
    private final Session session;
    private BitSet ids;
    private int count;

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
        count = 0;
    }
}
