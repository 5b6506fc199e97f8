package io.gannet.broker.session;

import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * What a session needs of the connection it is attached to. The connection handler implements it; every method is
 * called on the connection's event loop.
 */
public interface ClientLink {
    EventLoop eventLoop();

    MqttVersion version();

    /** The will of this connection as an application message, or {@code null}: recorded with a persistent session. */
    Message will();

    /** The Will Delay Interval of {@link #will()}, in seconds. */
    long willDelaySeconds();

    /** Who the client is, as it connected and authenticated: for plugin hooks. */
    io.gannet.broker.auth.ConnectAttempt client();

    /** Who the client is, as a store keeps it with its session: its user name and certificate subject. */
    default SessionOwner owner() {
        io.gannet.broker.auth.ConnectAttempt c = client();
        String subject = c == null || c.certificates().isEmpty() ? null
                : c.certificates().get(0).getSubjectX500Principal().getName();
        String username = c == null ? null : c.username();
        return username == null && subject == null ? SessionOwner.ANONYMOUS : new SessionOwner(username, subject);
    }

    boolean isActive();

    /** Whether the socket can take more bytes now; when false, the session queues instead of writing. */
    boolean isWritable();

    /**
     * Writes a PUBLISH of {@code message}.
     *
     * @param subscriptionIds the 5.0 Subscription Identifiers of the matching subscriptions, or {@code null}
     * @param sharedPayload   the payload already in a buffer shared by all subscribers, or {@code null}; the link
     *                        takes its own reference and leaves the caller's untouched
     * @return false if the packet would exceed the client's Maximum Packet Size and was dropped unsent
     */
    boolean writePublish(Message message, int qos, boolean retain, boolean dup, int packetId, int[] subscriptionIds,
                         ByteBuf sharedPayload);

    /** The client's Receive Maximum: how many QoS 1/2 deliveries it accepts unacknowledged. */
    int receiveMaximum();

    /** Writes any other packet. */
    void write(MqttPacket packet);

    /**
     * The session moved to another connection with the same client id: close this one [MQTT-3.1.4-2].
     *
     * @param sessionContinues whether the new connection resumes the session (Clean Start 0), in which case a will
     *                         with a delay is not sent [MQTT-3.1.3-9]
     */
    void takenOver(boolean sessionContinues);

    /**
     * The session this connection asked for belongs to another identity: refuse the CONNECT (5.0: 0x87 Not
     * authorized; 3.1.1: 5).
     */
    void refused(String reason);

    /** The broker closes the connection, for the given 5.0 reason (sent in a DISCONNECT to 5.0 clients). */
    void disconnect(int reasonCode, String reason);

    /** Called on the new owner's event loop once the session is attached: send CONNACK and go on. */
    void attached(Session session, boolean sessionPresent);
}
