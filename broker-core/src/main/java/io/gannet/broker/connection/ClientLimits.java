package io.gannet.broker.connection;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;

/**
 * What a 5.0 client asked for in its CONNECT, with the spec's defaults for absent properties and for 3.x clients.
 *
 * @param receiveMaximum             unacknowledged QoS 1/2 PUBLISHes the client accepts at once [3.1.2.11.3]
 * @param maximumPacketSize          the largest packet the client accepts [3.1.2.11.4]
 * @param topicAliasMaximum          aliases the broker may set up towards the client [3.1.2.11.5]
 * @param requestResponseInformation whether the client wants Response Information in CONNACK
 * @param requestProblemInformation  whether Reason Strings and User Properties may go on packets other than
 *                                   PUBLISH, CONNACK and DISCONNECT [3.1.2.11.7]
 */
public record ClientLimits(int receiveMaximum, long maximumPacketSize, int topicAliasMaximum,
                           boolean requestResponseInformation, boolean requestProblemInformation) {

    /** What a 3.x client gets: no limits beyond the protocol's own. */
    public static final ClientLimits V3 = new ClientLimits(65_535, 268_435_460L, 0, false, true);

    public static ClientLimits of(Connect connect) {
        if (!connect.version().isV5()) {
            return V3;
        }
        MqttProperties p = connect.properties();
        return new ClientLimits((int) p.number(PropertyId.RECEIVE_MAXIMUM, 65_535),
                p.number(PropertyId.MAXIMUM_PACKET_SIZE, 268_435_460L),
                (int) p.number(PropertyId.TOPIC_ALIAS_MAXIMUM, 0),
                p.number(PropertyId.REQUEST_RESPONSE_INFORMATION, 0) == 1,
                p.number(PropertyId.REQUEST_PROBLEM_INFORMATION, 1) == 1);
    }
}
