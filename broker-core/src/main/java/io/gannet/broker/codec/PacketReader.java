package io.gannet.broker.codec;

import static io.gannet.broker.codec.MalformedPacketException.malformed;
import static io.gannet.broker.codec.MalformedPacketException.protocolError;

import io.gannet.broker.codec.PropertyId.Scope;
import io.gannet.broker.topic.Topics;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the variable header and payload of every packet type but CONNECT (see {@link ConnectReader}). The body
 * is complete when it gets here: the frame decoder has checked the fixed header and waited for all of it.
 */
public final class PacketReader {
    private PacketReader() {
    }

    /**
     * Decodes one packet body (everything after the fixed header) of {@code type}; CONNECT chooses its own version.
     *
     * @throws MalformedPacketException for input the spec forbids
     */
    public static MqttPacket read(PacketType type, int flags, ByteBuf body, MqttVersion version) {
        return read(type, flags, body, version, null);
    }

    /**
     * The same, reusing the connection's last PUBLISH topic when the next one has the same bytes.
     *
     * @param lastTopic the connection's, or {@code null}
     */
    public static MqttPacket read(PacketType type, int flags, ByteBuf body, MqttVersion version, LastTopic lastTopic) {
        boolean v5 = version.isV5();
        MqttPacket packet = switch (type) {
            case CONNECT -> ConnectReader.read(body);
            case CONNACK -> readConnAck(body, v5);
            case PUBLISH -> readPublish(flags, body, v5, lastTopic);
            case PUBACK -> {
                int id = packetId(body);
                yield new PubAck(id, ackReason(body, v5), ackProperties(body, v5));
            }
            case PUBREC -> {
                int id = packetId(body);
                yield new PubRec(id, ackReason(body, v5), ackProperties(body, v5));
            }
            case PUBREL -> {
                int id = packetId(body);
                yield new PubRel(id, ackReason(body, v5), ackProperties(body, v5));
            }
            case PUBCOMP -> {
                int id = packetId(body);
                yield new PubComp(id, ackReason(body, v5), ackProperties(body, v5));
            }
            case SUBSCRIBE -> readSubscribe(body, v5);
            case SUBACK -> readSubAck(body, v5);
            case UNSUBSCRIBE -> readUnsubscribe(body, v5);
            case UNSUBACK -> readUnsubAck(body, v5);
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> v5 && body.isReadable()
                    ? new Disconnect(MqttWire.readUnsignedByte(body), optionalProperties(body, Scope.DISCONNECT))
                    : Disconnect.NORMAL;
            case AUTH -> {
                if (!v5) {
                    throw malformed("AUTH is reserved before MQTT 5.0");
                }
                yield body.isReadable()
                        ? new Auth(MqttWire.readUnsignedByte(body), optionalProperties(body, Scope.AUTH))
                        : new Auth(ReasonCode.SUCCESS, MqttProperties.EMPTY);
            }
        };
        if (body.isReadable()) {
            throw malformed(type + " has " + body.readableBytes() + " bytes past its end");
        }
        return packet;
    }

    private static ConnAck readConnAck(ByteBuf body, boolean v5) {
        int ackFlags = MqttWire.readUnsignedByte(body);
        if ((ackFlags & 0xFE) != 0) {
            throw malformed("CONNACK reserved flags set");
        }
        int reason = MqttWire.readUnsignedByte(body);
        MqttProperties props = v5 ? PropertiesCodec.read(body, Scope.CONNACK) : MqttProperties.EMPTY;
        return new ConnAck((ackFlags & 1) != 0, reason, props);
    }

    private static Publish readPublish(int flags, ByteBuf body, boolean v5, LastTopic lastTopic) {
        int qos = (flags >> 1) & 3;
        boolean dup = (flags & 0x08) != 0;
        boolean retain = (flags & 0x01) != 0;
        if (qos == 3) {
            throw malformed("PUBLISH with QoS 3 [MQTT-3.3.1-4]");
        }
        if (qos == 0 && dup) {
            throw malformed("QoS 0 PUBLISH with DUP set [MQTT-3.3.1-2]");
        }
        int topicAt = body.readerIndex();
        String topic = lastTopic == null ? null : lastTopic.match(body);
        boolean known = topic != null; // the same bytes as a topic already checked below
        if (!known) {
            topic = MqttWire.readUtf8(body);
        }
        int packetId = qos > 0 ? packetId(body) : 0;
        MqttProperties props = v5 ? PropertiesCodec.read(body, Scope.PUBLISH) : MqttProperties.EMPTY;
        if (!known) {
            if (topic.isEmpty()) {
                if (!v5) {
                    throw malformed("PUBLISH with an empty topic name [MQTT-4.7.3-1]");
                }
                if (!props.has(PropertyId.TOPIC_ALIAS)) {
                    throw protocolError("PUBLISH with an empty topic name and no topic alias [MQTT-3.3.2-1]");
                }
            } else if (!Topics.isValidName(topic)) {
                throw malformed("PUBLISH topic name contains a wildcard [MQTT-3.3.2-2]");
            } else if (lastTopic != null) {
                lastTopic.remember(body, topicAt, topic);
            }
        }
        byte[] payload = new byte[body.readableBytes()];
        body.readBytes(payload);
        return new Publish(topic, qos, dup, retain, packetId, props, payload);
    }

    private static Subscribe readSubscribe(ByteBuf body, boolean v5) {
        int packetId = packetId(body);
        MqttProperties props = v5 ? PropertiesCodec.read(body, Scope.SUBSCRIBE) : MqttProperties.EMPTY;
        if (props.subscriptionIdentifiers().size() > 1) {
            throw protocolError("SUBSCRIBE with more than one subscription identifier");
        }
        List<Subscribe.TopicSubscription> subs = new ArrayList<>(2);
        while (body.isReadable()) {
            String filter = MqttWire.readUtf8(body);
            int options = MqttWire.readUnsignedByte(body);
            int qos = options & 3;
            if (qos == 3) {
                throw malformed("SUBSCRIBE with QoS 3 [MQTT-3.8.3-4]");
            }
            if ((options & (v5 ? 0xC0 : 0xFC)) != 0) {
                throw malformed("SUBSCRIBE options with reserved bits set [MQTT-3.8.3-5]");
            }
            int retainHandling = (options >> 4) & 3;
            if (retainHandling == 3) {
                throw protocolError("SUBSCRIBE with Retain Handling 3");
            }
            if (!validFilterSyntax(filter)) {
                throw malformed("malformed topic filter '" + filter + "' [MQTT-4.7.1]");
            }
            subs.add(new Subscribe.TopicSubscription(filter, qos, (options & 0x04) != 0, (options & 0x08) != 0,
                    retainHandling));
        }
        if (subs.isEmpty()) {
            throw protocolError("SUBSCRIBE without a topic filter [MQTT-3.8.3-3]");
        }
        return new Subscribe(packetId, subs, props);
    }

    private static SubAck readSubAck(ByteBuf body, boolean v5) {
        int packetId = packetId(body);
        MqttProperties props = v5 ? PropertiesCodec.read(body, Scope.SUBACK) : MqttProperties.EMPTY;
        return new SubAck(packetId, readReasonCodes(body), props);
    }

    private static Unsubscribe readUnsubscribe(ByteBuf body, boolean v5) {
        int packetId = packetId(body);
        MqttProperties props = v5 ? PropertiesCodec.read(body, Scope.UNSUBSCRIBE) : MqttProperties.EMPTY;
        List<String> filters = new ArrayList<>(2);
        while (body.isReadable()) {
            String filter = MqttWire.readUtf8(body);
            if (!validFilterSyntax(filter)) {
                throw malformed("malformed topic filter '" + filter + "' [MQTT-4.7.1]");
            }
            filters.add(filter);
        }
        if (filters.isEmpty()) {
            throw protocolError("UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]");
        }
        return new Unsubscribe(packetId, filters, props);
    }

    private static UnsubAck readUnsubAck(ByteBuf body, boolean v5) {
        int packetId = packetId(body);
        if (!v5) {
            return new UnsubAck(packetId, List.of(), MqttProperties.EMPTY);
        }
        MqttProperties props = PropertiesCodec.read(body, Scope.UNSUBACK);
        return new UnsubAck(packetId, readReasonCodes(body), props);
    }

    /**
     * A shared subscription's share name is checked by the broker, which answers a bad one with SUBACK 0x8F
     * rather than closing the connection; every other filter must be well formed here.
     */
    private static boolean validFilterSyntax(String filter) {
        return filter.startsWith(Topics.SHARE_PREFIX) ? !filter.isEmpty() : Topics.isValidFilter(filter);
    }

    private static List<Integer> readReasonCodes(ByteBuf body) {
        List<Integer> codes = new ArrayList<>(body.readableBytes());
        while (body.isReadable()) {
            codes.add((int) body.readUnsignedByte());
        }
        return codes;
    }

    /** A non-zero Packet Identifier [MQTT-2.2.1-3]. */
    private static int packetId(ByteBuf body) {
        int id = MqttWire.readUnsignedShort(body);
        if (id == 0) {
            throw protocolError("packet identifier 0 [MQTT-2.2.1-3]");
        }
        return id;
    }

    /** 5.0 acknowledgements may stop after the packet id (Success) or after the reason code [3.4.2.1]. */
    private static int ackReason(ByteBuf body, boolean v5) {
        return v5 && body.isReadable() ? body.readUnsignedByte() : ReasonCode.SUCCESS;
    }

    private static MqttProperties ackProperties(ByteBuf body, boolean v5) {
        return v5 ? optionalProperties(body, Scope.ACKS) : MqttProperties.EMPTY;
    }

    private static MqttProperties optionalProperties(ByteBuf body, int scope) {
        return body.isReadable() ? PropertiesCodec.read(body, scope) : MqttProperties.EMPTY;
    }
}
