package io.gannet.broker.connection;

import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.PingResp;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubComp;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.codec.Unsubscribe;
import io.gannet.broker.session.Session;

/**
 * The packets of an accepted connection, each to the part that answers it: PUBLISH and PUBREL to
 * {@link InboundPublishes}, SUBSCRIBE and UNSUBSCRIBE to {@link SubscriptionRequests}, the acknowledgements of
 * deliveries to the session. Runs on the connection's event loop, which owns the session while the connection is
 * attached.
 */
final class PacketHandler {
    private final MqttConnection connection;
    private final Session session;
    private final InboundPublishes publishes;
    /** Made on the first SUBSCRIBE or UNSUBSCRIBE: many clients (publishers, most devices) never send one. */
    private SubscriptionRequests subscriptions;

    PacketHandler(MqttConnection connection, Session session, InboundPublishes publishes) {
        this.connection = connection;
        this.session = session;
        this.publishes = publishes;
    }

    private SubscriptionRequests subscriptions() {
        if (subscriptions == null) {
            subscriptions = new SubscriptionRequests(connection, session, publishes.shared(), publishes);
        }
        return subscriptions;
    }

    void handle(MqttPacket packet) {
        switch (packet.type()) {
            case PUBLISH -> publishes.onPublish((Publish) packet);
            case PUBACK -> session.outbound().onPubAck(((PubAck) packet).packetId());
            case PUBREC -> publishes.onPubRec((PubRec) packet);
            case PUBREL -> publishes.onPubRel((PubRel) packet);
            case PUBCOMP -> session.outbound().onPubComp(((PubComp) packet).packetId());
            case SUBSCRIBE -> subscriptions().onSubscribe((Subscribe) packet);
            case UNSUBSCRIBE -> subscriptions().onUnsubscribe((Unsubscribe) packet);
            case PINGREQ -> connection.write(PingResp.INSTANCE);
            case DISCONNECT -> onDisconnect((Disconnect) packet);
            case AUTH -> connection.handshake().onAuth((Auth) packet);
            // Packets only a server sends, and CONNECT (which the decoder stops): protocol errors.
            case CONNECT, CONNACK, SUBACK, UNSUBACK, PINGRESP -> connection.protocolViolation(
                    ReasonCode.PROTOCOL_ERROR, packet.type() + " may not be sent by a client");
        }
    }

    private void onDisconnect(Disconnect disconnect) {
        if (connection.version().isV5() && disconnect.properties().has(PropertyId.SESSION_EXPIRY_INTERVAL)) {
            long requested = disconnect.properties().number(PropertyId.SESSION_EXPIRY_INTERVAL, 0);
            if (session.expirySeconds() == 0 && requested > 0) {
                connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                        "DISCONNECT raises the Session Expiry Interval from 0 [MQTT-3.14.2-2]");
                return;
            }
            session.expiry(Math.min(requested, publishes.maxSessionExpirySeconds()));
        }
        connection.clientDisconnected(disconnect);
    }
}
