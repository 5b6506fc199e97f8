package io.gannet.broker.plugin;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.UserProperty;
import io.gannet.broker.message.Message;
import io.gannet.spi.publish.PublishMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns broker messages into the SPI's {@link PublishMessage} and back. The payload and correlation data arrays are
 * shared, not copied: neither side modifies them.
 */
public final class SpiMessages {
    private SpiMessages() {
    }

    /** The message as a plugin sees it, with {@code qos} and {@code retain} as delivered. */
    public static PublishMessage toSpi(Message m, int qos, boolean retain, long nowMillis) {
        MqttProperties p = m.properties();
        List<io.gannet.spi.publish.UserProperty> user = List.of();
        if (!p.userProperties().isEmpty()) {
            user = new ArrayList<>(p.userProperties().size());
            for (UserProperty u : p.userProperties()) {
                user.add(new io.gannet.spi.publish.UserProperty(u.name(), u.value()));
            }
        }
        return new PublishMessage(m.topic(), qos, retain, m.payload(),
                p.number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 0) == 1,
                m.expiresAtMillis() == 0 ? OptionalLong.empty() : OptionalLong.of(m.remainingSeconds(nowMillis)),
                Optional.ofNullable(p.string(PropertyId.CONTENT_TYPE)),
                Optional.ofNullable(p.string(PropertyId.RESPONSE_TOPIC)),
                Optional.ofNullable(p.binary(PropertyId.CORRELATION_DATA)), user);
    }

    /**
     * The broker message for a plugin's message.
     *
     * @param publisherId the client id it counts as published by ("" for the broker itself)
     */
    public static Message fromSpi(PublishMessage m, String publisherId, long nowMillis) {
        MqttProperties.Builder b = MqttProperties.builder();
        if (m.payloadUtf8()) {
            b.number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1);
        }
        m.contentType().ifPresent(v -> b.string(PropertyId.CONTENT_TYPE, v));
        m.responseTopic().ifPresent(v -> b.string(PropertyId.RESPONSE_TOPIC, v));
        m.correlationData().ifPresent(v -> b.binary(PropertyId.CORRELATION_DATA, v));
        for (io.gannet.spi.publish.UserProperty u : m.userProperties()) {
            b.userProperty(u.name(), u.value());
        }
        long expiresAt = m.messageExpirySeconds().isPresent()
                ? nowMillis + m.messageExpirySeconds().getAsLong() * 1000 : 0;
        return new Message(m.topic(), m.qos(), m.retain(), m.payload(), b.build(), publisherId, expiresAt);
    }
}
