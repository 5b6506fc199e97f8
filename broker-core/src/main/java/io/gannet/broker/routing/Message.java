package io.gannet.broker.routing;

import io.gannet.broker.codec.MqttProperties;
import java.util.Objects;

/**
 * An application message inside the broker: what a PUBLISH (or a will) carries, independent of any connection.
 * Immutable and shared by every session it is delivered to; the payload array is never modified.
 *
 * @param publisherId the client id of the session that published it, for No Local and logs; "" for the broker
 */
public record Message(String topic, int qos, boolean retain, byte[] payload, MqttProperties properties,
                      String publisherId) {
    public Message {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(publisherId, "publisherId");
    }

    /** The same message with another retain flag, as stored in or sent from the retained store. */
    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this : new Message(topic, qos, newRetain, payload, properties, publisherId);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", " + payload.length + " bytes]";
    }
}
