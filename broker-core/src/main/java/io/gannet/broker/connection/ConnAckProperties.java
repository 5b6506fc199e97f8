package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.config.MqttConfig;

/**
 * The properties of a successful 5.0 CONNACK: what the broker supports and what it decided for this client
 * [3.2.2.3]. A property whose value is the spec's default is left out.
 */
final class ConnAckProperties {
    /**
     * The part that follows from the configuration alone, made once: most clients get exactly that, so a connection
     * storm builds no properties. One entry, checked by identity: a broker keeps its configuration for its life.
     */
    private static volatile Base base;

    private record Base(MqttConfig config, MqttProperties properties) {
    }

    private ConnAckProperties() {
    }

    static MqttProperties build(MqttConfig config, ConnectTerms terms) {
        MqttProperties fromConfig = fromConfig(config);
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

    private static MqttProperties fromConfig(MqttConfig config) {
        Base b = base;
        if (b == null || b.config() != config) {
            b = new Base(config, buildFromConfig(config));
            base = b;
        }
        return b.properties();
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
