package io.gannet.broker.session;

import java.util.BitSet;

/**
 * Packet ids of QoS 2 messages received from the client and not yet released with PUBREL. A resend under such an
 * id is acknowledged but not routed again [MQTT-4.3.3-10]. Touched on the session's event loop only; the bit set
 * is made on first use, so sessions that never receive QoS 2 pay nothing.
 */
public final class InboundQos2Ids {
    private BitSet ids;
    private int count;

    /** Records a received id; false if it was already pending (a resend, not to be routed again). */
    public boolean received(int packetId) {
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

    public boolean isPending(int packetId) {
        return ids != null && ids.get(packetId);
    }

    /** PUBREL: forgets the id; returns whether it was pending. */
    public boolean released(int packetId) {
        if (!isPending(packetId)) {
            return false;
        }
        ids.clear(packetId);
        count--;
        return true;
    }

    public int pending() {
        return count;
    }

    void clear() {
        ids = null;
        count = 0;
    }
}
