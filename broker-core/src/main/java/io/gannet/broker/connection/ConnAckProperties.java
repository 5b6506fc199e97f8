package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.config.MqttConfig;

/**
 * The properties of a successful 5.0 CONNACK: what the broker supports and what it decided for this client
 * [3.2.2.3]. A property whose value is the spec's default is left out.
 */
final class ConnAckProperties {
    private ConnAckProperties() {
    }

    /**
     * @param assignedClientId the id the broker made up for an empty one, or {@code null}
     * @param serverKeepAlive  the keep alive the broker imposes, or -1 to accept the client's
     * @param grantedExpiry    the Session Expiry Interval granted, or -1 when it is the one asked for
     * @param limits           what the client asked for
     */
    static MqttProperties build(MqttConfig config, String clientId, String assignedClientId, int serverKeepAlive,
                                long grantedExpiry, ClientLimits limits) {
        MqttProperties.Builder b = MqttProperties.builder();
        if (config.receiveMaximum() != 65_535) {
            b.number(PropertyId.RECEIVE_MAXIMUM, config.receiveMaximum());
        }
        if (config.maxQos() < 2) {
            b.number(PropertyId.MAXIMUM_QOS, config.maxQos());
        }
        if (!config.retainAvailable()) {
            b.number(PropertyId.RETAIN_AVAILABLE, 0);
        }
        b.number(PropertyId.MAXIMUM_PACKET_SIZE, config.maxPacketSize());
        if (config.topicAliasMaximum() > 0) {
            b.number(PropertyId.TOPIC_ALIAS_MAXIMUM, config.topicAliasMaximum());
        }
        if (!config.wildcardSubscriptions()) {
            b.number(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, 0);
        }
        if (!config.subscriptionIdentifiers()) {
            b.number(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0);
        }
        if (!config.sharedSubscriptions()) {
            b.number(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, 0);
        }
        if (assignedClientId != null) {
            b.string(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, assignedClientId);
        }
        if (serverKeepAlive >= 0) {
            b.number(PropertyId.SERVER_KEEP_ALIVE, serverKeepAlive);
        }
        if (grantedExpiry >= 0) {
            b.number(PropertyId.SESSION_EXPIRY_INTERVAL, grantedExpiry);
        }
        if (limits.requestResponseInformation() && !config.responseInformation().isEmpty()) {
            b.string(PropertyId.RESPONSE_INFORMATION, config.responseInformation().replace("%c", clientId));
        }
        return b.build();
    }
}
