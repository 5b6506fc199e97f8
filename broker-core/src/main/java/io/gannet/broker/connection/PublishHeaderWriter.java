package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Clock;

/**
 * Writes the header of each PUBLISH to one client, the part that differs per subscriber: packet id, flags and,
 * for 5.0, the properties this delivery adds (time left before expiry, subscription identifiers) and the topic
 * alias. It refuses a packet larger than the client's Maximum Packet Size. The payload follows from the buffer all
 * subscribers share.
 */
final class PublishHeaderWriter {
    private final MqttVersion version;
    private final long maxPacketSize;
    private final OutboundTopicAliases aliases;
    private final Clock clock;

    PublishHeaderWriter(MqttVersion version, long maxPacketSize, OutboundTopicAliases aliases, Clock clock) {
        this.version = version;
        this.maxPacketSize = maxPacketSize;
        this.aliases = aliases;
        this.clock = clock;
    }

    /**
     * The header, or {@code null} when the whole packet would exceed the client's limit [MQTT-3.1.2-25].
     *
     * @param spare room to leave after the header, for a payload the caller copies in
     */
    ByteBuf header(ByteBufAllocator alloc, Message message, int qos, boolean retain, boolean dup, int packetId,
                   int[] subscriptionIds, int spare) {
        String topic = message.topic();
        MqttProperties props = message.properties();
        if (version.isV5()) {
            props = properties(message, subscriptionIds);
            if (PacketWriter.publishSize(version, topic, qos, props, message.payload().length) > maxPacketSize) {
                return null;
            }
            int alias = aliases.aliasFor(topic);
            if (alias != 0) {
                props = props.toBuilder().number(PropertyId.TOPIC_ALIAS, Math.abs(alias)).build();
                if (alias > 0) {
                    topic = ""; // the client knows this alias: the topic may be left out [MQTT-3.3.2-12]
                }
            }
        }
        return PacketWriter.encodePublishHeader(alloc, version, topic, qos, dup, retain, packetId, props,
                message.payload().length, spare);
    }

    /**
     * Whether this client's PUBLISH of {@code message} is the same as every other client's with the same protocol,
     * QoS and RETAIN flag, so that it may come from the loop's {@link PublishTemplate}: nothing added per delivery
     * (expiry, subscription identifiers, a topic alias). Its size is checked with {@link #fits} once it is made.
     */
    boolean sameForEverySubscriber(Message message, int[] subscriptionIds) {
        return !version.isV5()
                || message.expiresAtMillis() == 0 && subscriptionIds == null && !aliases.enabled();
    }

    /** Whether a whole PUBLISH of {@code packetSize} bytes is within the client's Maximum Packet Size. */
    boolean fits(int packetSize) {
        return packetSize <= maxPacketSize;
    }

    /** The message's properties plus what this delivery adds: time left, subscription identifiers. */
    private MqttProperties properties(Message message, int[] subscriptionIds) {
        if (message.expiresAtMillis() == 0 && subscriptionIds == null) {
            return message.properties(); // the common case: nothing to add, nothing allocated
        }
        MqttProperties.Builder b = message.properties().toBuilder();
        if (message.expiresAtMillis() != 0) {
            b.number(PropertyId.MESSAGE_EXPIRY_INTERVAL, message.remainingSeconds(clock.millis())); // [MQTT-3.3.2-6]
        }
        if (subscriptionIds != null) {
            for (int id : subscriptionIds) {
                b.number(PropertyId.SUBSCRIPTION_IDENTIFIER, id);
            }
        }
        return b.build();
    }
}
