package io.gannet.broker.message;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import java.time.Clock;
import java.util.Objects;

/**
 * An application message inside the broker: what a PUBLISH (or a will) carries, independent of any connection.
 * Immutable and shared by every session it is delivered to; the payload array is never modified.
 *
 * @param publisherId     the client id of the session that published it, for No Local and logs; "" for the broker
 * @param expiresAtMillis when the message expires (5.0 Message Expiry Interval), by the broker's clock; 0 never
 */
public record Message(String topic, int qos, boolean retain, byte[] payload, MqttProperties properties,
                      String publisherId, long expiresAtMillis) {
    public Message {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(publisherId, "publisherId");
    }

    /** A message that never expires. */
    public Message(String topic, int qos, boolean retain, byte[] payload, MqttProperties properties,
                   String publisherId) {
        this(topic, qos, retain, payload, properties, publisherId, 0);
    }

    /**
     * A message whose expiry comes from its Message Expiry Interval property, counted from now by {@code clock}. The
     * property itself is dropped: each delivery states the time that is left [MQTT-3.3.2-6]. An interval of 0 is
     * taken as no expiry (as Mosquitto does) and passed through as it came.
     */
    public static Message expiring(String topic, int qos, boolean retain, byte[] payload, MqttProperties properties,
                                   String publisherId, Clock clock) {
        long interval = properties.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0);
        if (interval == 0) {
            return new Message(topic, qos, retain, payload, properties, publisherId, 0);
        }
        MqttProperties rest = properties.toBuilder().remove(PropertyId.MESSAGE_EXPIRY_INTERVAL).build();
        return new Message(topic, qos, retain, payload, rest, publisherId, clock.millis() + interval * 1000);
    }

    public boolean isExpired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    /**
     * Whether the message has expired by {@code clock}, which is read only for a message that can expire: most never
     * do, and reading the clock for each delivery cost a few per cent of a core (a profile of QoS 1 pairs).
     */
    public boolean isExpired(Clock clock) {
        return expiresAtMillis != 0 && clock.millis() >= expiresAtMillis;
    }

    /** Whole seconds left before expiry, at least 1 while not expired. Only for expiring messages. */
    public long remainingSeconds(long nowMillis) {
        return Math.max(1, (expiresAtMillis - nowMillis + 999) / 1000);
    }

    /** The same message with another retain flag, as stored in or sent from the retained store. */
    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this
                : new Message(topic, qos, newRetain, payload, properties, publisherId, expiresAtMillis);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", " + payload.length + " bytes]";
    }
}
