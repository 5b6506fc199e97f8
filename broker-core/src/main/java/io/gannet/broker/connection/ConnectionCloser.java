package io.gannet.broker.connection;

import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.DecoderFailure;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.metrics.BrokerMetrics;
import io.netty.channel.Channel;

/**
 * The one place that closes a connection, whoever asks: bad input is logged and answered with the reason code the
 * spec asks for (a refusing CONNACK before CONNACK, a 5.0 DISCONNECT after), a server-side disconnect tells a 5.0
 * client why, and the client's own DISCONNECT decides whether its will goes out. Remembers why the connection
 * ended, for the disconnect event. On the connection's event loop.
 */
final class ConnectionCloser {
    private final MqttConnection connection;
    private final Channel channel;
    private final OutboundWriter writer;
    private final BrokerMetrics metrics;
    /** Why the connection is ending, for the disconnect event; null until something says. */
    private String reason;
    /** Whether the will is withheld: a normal DISCONNECT, or the broker shutting down. */
    private boolean clean;
    private boolean clientSentDisconnect;
    private boolean brokerStopping;

    ConnectionCloser(MqttConnection connection, Channel channel, OutboundWriter writer, BrokerMetrics metrics) {
        this.connection = connection;
        this.channel = channel;
        this.writer = writer;
        this.metrics = metrics;
    }

    /** Refuses a CONNECT with a CONNACK carrying the reason (mapped to a return code for 3.x), then closes. */
    void refuse(int reasonCode, String why) {
        connection.enterClosing();
        MqttVersion version = writer.version();
        ConnAck ack = version.isV5()
                ? new ConnAck(false, reasonCode, reasonString(why))
                : new ConnAck(false, ReasonCode.toV3ConnAck(reasonCode), MqttProperties.EMPTY);
        writer.writeAndClose(ack, version);
    }

    /** Bad input from the decoder, or found after it: logged, counted, answered as the spec asks, closed. */
    void malformed(DecoderFailure failure) {
        metrics.malformedPacket();
        String clientId = connection.clientId();
        MqttConnection.log.info("Closing connection from {} (client {}): {}", channel.remoteAddress(),
                clientId == null ? "not connected" : clientId, failure.message());
        if (failure.inConnect()) {
            connection.enterClosing();
            if (failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
                // Unknown level: answer in 3.1.1 form, which every version can read [MQTT-3.1.2-2].
                writer.writeAndClose(new ConnAck(false, ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION,
                        MqttProperties.EMPTY), MqttVersion.V3_1_1);
            } else if (failure.version() == MqttVersion.V5) {
                writer.writeAndClose(new ConnAck(false, failure.reasonCode(), reasonString(failure.message())),
                        MqttVersion.V5);
            } else {
                channel.close();
            }
            return;
        }
        MqttConnection.State was = connection.enterClosing();
        if (was == MqttConnection.State.AWAITING_CONNECT) {
            channel.close(); // nothing may be sent before CONNECT [MQTT-3.1.0-1]
            return;
        }
        disconnect(failure.reasonCode(), failure.message(), was == MqttConnection.State.CONNECTED);
    }

    /**
     * The broker closes the connection, telling a connected 5.0 client why in a DISCONNECT.
     *
     * @param wasConnected whether the client was connected when the reason arose (the state may say closing now)
     */
    void disconnect(int reasonCode, String why, boolean wasConnected) {
        if (!channel.isActive()) {
            return;
        }
        if (reason == null) {
            reason = why;
        }
        channel.config().setAutoRead(false);
        if (writer.version().isV5() && wasConnected) {
            writer.writeAndClose(new Disconnect(reasonCode, reasonString(why)), writer.version());
        } else {
            channel.close();
        }
    }

    /** The client sent DISCONNECT: close without the will, unless a 5.0 client asked for it with 0x04. */
    void clientDisconnected(Disconnect disconnect) {
        clean = disconnect.reasonCode() != ReasonCode.DISCONNECT_WITH_WILL;
        clientSentDisconnect = true;
        reason = "client disconnect";
        channel.close();
    }

    /** The broker is shutting down: the will is not published now (a kept session keeps it for the next start). */
    void withholdWill() {
        clean = true;
        brokerStopping = true;
    }

    boolean brokerStopping() {
        return brokerStopping;
    }

    boolean willWithheld() {
        return clean;
    }

    String reason() {
        return reason == null ? "connection lost" : reason;
    }

    boolean clientSentDisconnect() {
        return clientSentDisconnect;
    }

    private MqttProperties reasonString(String why) {
        if (!writer.version().isV5() || why == null || why.isEmpty()) {
            return MqttProperties.EMPTY;
        }
        return MqttProperties.builder().string(PropertyId.REASON_STRING, why).build();
    }
}
