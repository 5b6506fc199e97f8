package io.gannet.spi.publish;

import io.gannet.spi.Stable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An application message: what a PUBLISH carries, as interceptors, the retained-message service and
 * {@link io.gannet.spi.services.MessagePublisher} see it. Build one with {@link #builder}; change one with
 * {@link #toBuilder}.
 *
 * <p>The payload array is shared with the broker, not copied, so that a plugin on the publish path costs no
 * copy: never modify it. To change the payload, build a message with a new array.
 *
 * @param topic                 the topic name, without wildcards
 * @param qos                   0, 1 or 2
 * @param retain                the RETAIN flag
 * @param payload               the payload bytes (shared: do not modify)
 * @param payloadUtf8           the 5.0 Payload Format Indicator: whether the payload is declared UTF-8 text
 * @param messageExpirySeconds  the 5.0 Message Expiry Interval still to run, if the message expires
 * @param contentType           the 5.0 Content Type, if any
 * @param responseTopic         the 5.0 Response Topic, if any
 * @param correlationData       the 5.0 Correlation Data, if any (shared: do not modify)
 * @param userProperties        the 5.0 User Properties, in order
 * @since 1.0
 */
@Stable
public record PublishMessage(String topic, int qos, boolean retain, byte[] payload, boolean payloadUtf8,
                             OptionalLong messageExpirySeconds, Optional<String> contentType,
                             Optional<String> responseTopic, Optional<byte[]> correlationData,
                             List<UserProperty> userProperties) {
    public PublishMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a valid topic name: '" + topic + "'");
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
        }
        Objects.requireNonNull(messageExpirySeconds, "messageExpirySeconds");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(responseTopic, "responseTopic");
        Objects.requireNonNull(correlationData, "correlationData");
        userProperties = List.copyOf(userProperties);
    }

    /** A builder for a message to {@code topic} with the given payload, QoS 0, not retained, no properties. */
    public static Builder builder(String topic, byte[] payload) {
        return new Builder(topic, payload);
    }

    /** A builder for a message to {@code topic} with a UTF-8 text payload (Payload Format Indicator set). */
    public static Builder builder(String topic, String text) {
        return new Builder(topic, text.getBytes(StandardCharsets.UTF_8)).payloadUtf8(true);
    }

    /** A builder that starts from this message. */
    public Builder toBuilder() {
        Builder b = new Builder(topic, payload).qos(qos).retain(retain).payloadUtf8(payloadUtf8);
        b.expiry = messageExpirySeconds;
        b.contentType = contentType.orElse(null);
        b.responseTopic = responseTopic.orElse(null);
        b.correlationData = correlationData.orElse(null);
        b.userProperties.addAll(userProperties);
        return b;
    }

    /** The payload decoded as UTF-8 (malformed bytes replaced), for text payloads. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PublishMessage[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", " + payload.length
                + " bytes]";
    }

    /** Builds a {@link PublishMessage}; not thread-safe. */
    public static final class Builder {
        private String topic;
        private byte[] payload;
        private int qos;
        private boolean retain;
        private boolean payloadUtf8;
        private OptionalLong expiry = OptionalLong.empty();
        private String contentType;
        private String responseTopic;
        private byte[] correlationData;
        private final List<UserProperty> userProperties = new ArrayList<>();

        private Builder(String topic, byte[] payload) {
            this.topic = topic;
            this.payload = payload;
        }

        public Builder topic(String newTopic) {
            this.topic = newTopic;
            return this;
        }

        public Builder payload(byte[] newPayload) {
            this.payload = newPayload;
            return this;
        }

        public Builder qos(int newQos) {
            this.qos = newQos;
            return this;
        }

        public Builder retain(boolean newRetain) {
            this.retain = newRetain;
            return this;
        }

        public Builder payloadUtf8(boolean utf8) {
            this.payloadUtf8 = utf8;
            return this;
        }

        /** The message expires this many seconds from now; at least 1. */
        public Builder messageExpirySeconds(long seconds) {
            if (seconds < 1 || seconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("message expiry must be 1 to 4294967295 seconds, not " + seconds);
            }
            this.expiry = OptionalLong.of(seconds);
            return this;
        }

        /** The message does not expire. */
        public Builder noExpiry() {
            this.expiry = OptionalLong.empty();
            return this;
        }

        /** @param type the content type, or {@code null} for none */
        public Builder contentType(String type) {
            this.contentType = type;
            return this;
        }

        /** @param topicName the response topic, or {@code null} for none */
        public Builder responseTopic(String topicName) {
            this.responseTopic = topicName;
            return this;
        }

        /** @param data the correlation data, or {@code null} for none */
        public Builder correlationData(byte[] data) {
            this.correlationData = data;
            return this;
        }

        /** Adds a user property after those already there. */
        public Builder userProperty(String name, String value) {
            userProperties.add(new UserProperty(name, value));
            return this;
        }

        /** Removes every user property. */
        public Builder clearUserProperties() {
            userProperties.clear();
            return this;
        }

        /** @throws IllegalArgumentException for an invalid topic name or QoS */
        public PublishMessage build() {
            return new PublishMessage(topic, qos, retain, payload, payloadUtf8, expiry,
                    Optional.ofNullable(contentType), Optional.ofNullable(responseTopic),
                    Optional.ofNullable(correlationData), userProperties);
        }
    }
}
