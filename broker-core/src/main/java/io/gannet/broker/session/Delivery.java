package io.gannet.broker.session;

import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.StoredMessage;

/**
 * One message on its way to a session's client, as the session chose to deliver it: with the QoS, RETAIN flag and
 * 5.0 Subscription Identifiers of this session. It waits in the queue, and a QoS 1 or 2 delivery then stays in the
 * in-flight window, the same object, until the client acknowledges it. Touched only on the session's event loop.
 */
final class Delivery {
    /** Where a QoS 1 or 2 delivery in flight stands. */
    enum Stage {
        /** QoS 1 sent, waiting for PUBACK. */
        AWAITING_PUBACK,
        /** QoS 2 sent, waiting for PUBREC. */
        AWAITING_PUBREC,
        /** QoS 2 PUBREL sent, waiting for PUBCOMP. */
        AWAITING_PUBCOMP
    }

    /** The session's number for it, in arrival order: how the session's journal names it. */
    final long seq;
    final Message message;
    final int qos;
    final boolean retain;
    /** The 5.0 Subscription Identifiers of the matching subscriptions, or {@code null}. */
    final int[] subscriptionIds;
    /** The shared subscription it came through, or {@code null}. */
    final ShareGroup group;
    /** Whether the outbound interceptors already passed it. */
    final boolean intercepted;

    // In-flight state, set by the window when it is sent at QoS 1 or 2.
    int packetId;
    /** How far the window's packet id counter had moved when this delivery took its id. */
    long idStep;
    Stage stage;

    Delivery(long seq, Message message, int qos, boolean retain, int[] subscriptionIds, ShareGroup group,
             boolean intercepted) {
        this.seq = seq;
        this.message = message;
        this.qos = qos;
        this.retain = retain;
        this.subscriptionIds = subscriptionIds;
        this.group = group;
        this.intercepted = intercepted;
    }

    /** What it costs queued, as {@link #bytes} counts it; -1 until first asked (most deliveries are never queued). */
    private int bytes = -1;

    /**
     * Its size as sent, what the queues' byte bounds count: the fixed header at its largest, topic, packet id,
     * properties and their length, subscription identifiers and payload. Not the payload alone: a message of long
     * topics and many user properties costs as much as its payload, or more.
     */
    int bytes() {
        int b = bytes;
        if (b < 0) {
            int ids = subscriptionIds == null ? 0 : subscriptionIds.length * 5;
            b = 5 + MqttWire.utf8Size(message.topic()) + 2 + 4 + message.properties().encodedLength() + ids
                    + message.payload().length;
            bytes = b;
        }
        return b;
    }

    /** The delivery as a store keeps it. */
    StoredMessage stored() {
        return new StoredMessage(seq, message, qos, retain, subscriptionIds, group == null ? null : group.key());
    }

    @Override
    public String toString() {
        return "Delivery[" + seq + ", " + message + ", qos " + qos + (packetId == 0 ? "" : ", id " + packetId) + "]";
    }
}
