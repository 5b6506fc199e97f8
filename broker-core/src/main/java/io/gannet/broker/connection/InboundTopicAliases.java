package io.gannet.broker.connection;

import io.gannet.broker.codec.MalformedPacketException;
import io.gannet.broker.codec.ReasonCode;

/**
 * The topic aliases a 5.0 client set up towards the broker on this connection [3.3.2.3.4]. An alias beyond the
 * Topic Alias Maximum the broker announced, or 0, is refused with 0x94; an empty topic with an alias never set is
 * a protocol error. Aliases live as long as the connection, not the session [MQTT-3.3.2-7].
 */
final class InboundTopicAliases {
    private final int maximum;
    private String[] topics;

    InboundTopicAliases(int maximum) {
        this.maximum = maximum;
    }

    /** Applies {@code alias} to a PUBLISH with topic {@code topic} (maybe empty) and returns the topic it means. */
    String resolve(String topic, int alias) {
        if (alias == 0 || alias > maximum) {
            throw new MalformedPacketException(ReasonCode.TOPIC_ALIAS_INVALID,
                    "topic alias " + alias + " is outside 1.." + maximum + " [MQTT-3.3.2-9]");
        }
        if (topics == null) {
            topics = new String[maximum + 1];
        }
        if (!topic.isEmpty()) {
            topics[alias] = topic;
            return topic;
        }
        String known = topics[alias];
        if (known == null) {
            throw MalformedPacketException.protocolError("topic alias " + alias + " was never set");
        }
        return known;
    }
}
