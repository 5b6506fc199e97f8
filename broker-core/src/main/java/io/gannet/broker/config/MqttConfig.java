package io.gannet.broker.config;

/**
 * Protocol limits and the 5.0 capabilities the broker announces, from the {@code mqtt} section. See
 * {@link ConfigSchema} for each key's meaning and default.
 */
public record MqttConfig(int maxPacketSize, int connectTimeoutSeconds, int inflightWindow, int receiveMaximum,
                         boolean allowEmptyClientId, int maxQos, boolean retainAvailable,
                         boolean wildcardSubscriptions, boolean subscriptionIdentifiers, boolean sharedSubscriptions,
                         int topicAliasMaximum,
                         int outboundTopicAliasMaximum, boolean outboundTopicAliasLru, int maxKeepAliveSeconds,
                         long maxSessionExpirySeconds, String responseInformation,
                         boolean v3DeniedPublishDisconnects) {
}
