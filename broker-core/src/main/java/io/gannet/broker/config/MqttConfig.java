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
                         boolean v3DeniedPublishDisconnects, int maxTopicLevels, int maxTopicLength,
                         int maxClientIdLength, int maxUserPropertiesBytes, int maxRetainedMessages,
                         long maxRetainedBytes) {
    /**
     * Whether a topic name or filter is within the configured limits: checked before anything splits it into
     * levels, so that a topic of thousands of empty levels costs nothing. Cheap on the publish path: a topic shorter
     * than the level limit cannot exceed it, and is not scanned.
     */
    /**
     * As {@link #withinTopicLimits}, for a filter: a shared subscription's is counted without its
     * {@code $share/{group}/}.
     */
    public boolean withinFilterLimits(String filter) {
        if (filter.startsWith("$share/")) {
            int groupEnd = filter.indexOf('/', "$share/".length());
            if (groupEnd > 0) {
                return withinTopicLimits(filter.substring(groupEnd + 1));
            }
        }
        return withinTopicLimits(filter);
    }

    public boolean withinTopicLimits(String topic) {
        int length = topic.length();
        if (length > maxTopicLength) {
            return false;
        }
        if (length < maxTopicLevels) {
            return true; // n characters hold at most n separators: n + 1 levels
        }
        int levels = 1;
        for (int i = 0; i < length; i++) {
            if (topic.charAt(i) == '/' && ++levels > maxTopicLevels) {
                return false;
            }
        }
        return true;
    }
}
