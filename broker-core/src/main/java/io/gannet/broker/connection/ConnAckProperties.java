package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.config.MqttConfig;

/**
 * The properties of a successful 5.0 CONNACK: what the broker supports and what it decided for this client
 * [3.2.2.3]. A property whose value is the spec's default is left out. One per broker: the part that follows from
 * the configuration alone is built once, and most clients get exactly that, so a connection storm builds no
 * properties.
 */
public final class ConnAckProperties {
    private final MqttConfig config;
    private final MqttProperties fromConfig;

    public ConnAckProperties(MqttConfig config) {
        this.config = config;
        this.fromConfig = buildFromConfig(config);
    }

    /** The CONNACK properties for a client that connected on these terms. */
    MqttProperties forClient(ConnectTerms terms) {
        boolean responseInformation = terms.limits().requestResponseInformation()
                && !config.responseInformation().isEmpty();
        if (terms.assignedClientId() == null && terms.serverKeepAlive() < 0 && terms.grantedExpiry() < 0
                && !responseInformation) {
            return fromConfig;
        }
        MqttProperties.Builder b = fromConfig.toBuilder();
        if (terms.assignedClientId() != null) {
            b.string(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, terms.assignedClientId());
        }
        if (terms.serverKeepAlive() >= 0) {
            b.number(PropertyId.SERVER_KEEP_ALIVE, terms.serverKeepAlive());
        }
        if (terms.grantedExpiry() >= 0) {
            b.number(PropertyId.SESSION_EXPIRY_INTERVAL, terms.grantedExpiry());
        }
        if (responseInformation) {
            b.string(PropertyId.RESPONSE_INFORMATION, config.responseInformation().replace("%c", terms.clientId()));
        }
        return b.build();
    }

    private static MqttProperties buildFromConfig(MqttConfig config) {
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
        return b.build();
    }
}
