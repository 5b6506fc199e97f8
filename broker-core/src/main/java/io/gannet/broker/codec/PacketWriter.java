package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.List;

/**
 * Encodes packets for one protocol version. It sizes each packet first and allocates exactly that much, so a
 * packet is written with one allocation and no resizing.
 */
public final class PacketWriter {
    private PacketWriter() {
    }

    /** Encodes {@code packet} into a new buffer from {@code alloc}; the caller owns the returned buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, MqttPacket packet, MqttVersion version) {
        int remaining = remainingLength(packet, version);
        ByteBuf out = alloc.buffer(1 + MqttWire.varIntSize(remaining) + remaining);
        try {
            write(out, packet, version, remaining);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Encodes {@code packet} at the end of {@code out}, which the caller has checked has room for
     * {@link #encodedSize} bytes: packets written together share one buffer.
     */
    public static void encodeInto(ByteBuf out, MqttPacket packet, MqttVersion version) {
        write(out, packet, version, remainingLength(packet, version));
    }

    private static void write(ByteBuf out, MqttPacket packet, MqttVersion version, int remaining) {
        out.writeByte(packet.type().value() << 4 | headerFlags(packet));
        MqttWire.writeVarInt(out, remaining);
        writeBody(out, packet, version);
    }

    /**
     * Encodes the fixed and variable header of a PUBLISH whose payload the caller writes next, from a buffer that
     * several subscribers share. Together they are the same bytes {@link #encode} writes for the whole packet.
     */
    public static ByteBuf encodePublishHeader(ByteBufAllocator alloc, MqttVersion version, String topic, int qos,
                                              boolean dup, boolean retain, int packetId, MqttProperties properties,
                                              int payloadLength) {
        return encodePublishHeader(alloc, version, topic, qos, dup, retain, packetId, properties, payloadLength, 0);
    }

    /**
     * The same, in a buffer with {@code spare} more bytes of room, for a caller that writes the payload right
     * after the header (one buffer, one write, for small payloads).
     */
    public static ByteBuf encodePublishHeader(ByteBufAllocator alloc, MqttVersion version, String topic, int qos,
                                              boolean dup, boolean retain, int packetId, MqttProperties properties,
                                              int payloadLength, int spare) {
        int topicBytes = ByteBufUtil.utf8Bytes(topic);
        int headerSize = publishSize(version, topicBytes, qos, properties, payloadLength) - payloadLength;
        ByteBuf out = alloc.buffer(headerSize + spare);
        try {
            writePublishHeader(out, version, topic, topicBytes, qos, dup, retain, packetId, properties, payloadLength);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Writes the header of a PUBLISH (everything before the payload) at the end of {@code out}, which has room for
     * it, for a caller that sizes its own buffer ({@link #publishSize(MqttVersion, int, int, MqttProperties, int)}).
     *
     * @param topicBytes the topic's length in UTF-8
     */
    public static void writePublishHeader(ByteBuf out, MqttVersion version, String topic, int topicBytes, int qos,
                                          boolean dup, boolean retain, int packetId, MqttProperties properties,
                                          int payloadLength) {
        boolean v5 = version.isV5();
        int remaining = publishVariableHeaderSize(v5, topicBytes, qos, properties) + payloadLength;
        out.writeByte(PacketType.PUBLISH.value() << 4 | (dup ? 0x08 : 0) | qos << 1 | (retain ? 1 : 0));
        MqttWire.writeVarInt(out, remaining);
        MqttWire.writeUtf8(out, topic, topicBytes);
        if (qos > 0) {
            out.writeShort(packetId);
        }
        if (v5) {
            PropertiesCodec.write(out, properties);
        }
    }

    /** The size of a whole PUBLISH whose topic takes {@code topicBytes} in UTF-8. */
    public static int publishSize(MqttVersion version, int topicBytes, int qos, MqttProperties properties,
                                  int payloadLength) {
        int remaining = publishVariableHeaderSize(version.isV5(), topicBytes, qos, properties) + payloadLength;
        return 1 + MqttWire.varIntSize(remaining) + remaining;
    }

    private static int publishVariableHeaderSize(boolean v5, int topicBytes, int qos, MqttProperties properties) {
        return 2 + topicBytes + (qos > 0 ? 2 : 0) + (v5 ? PropertiesCodec.size(properties) : 0);
    }

    /** The size on the wire of a PUBLISH with these parts, to check it against a client's Maximum Packet Size. */
    public static long publishSize(MqttVersion version, String topic, int qos, MqttProperties properties,
                                   int payloadLength) {
        long remaining = publishVariableHeaderSize(version.isV5(), ByteBufUtil.utf8Bytes(topic), qos, properties)
                + (long) payloadLength;
        return 1 + (remaining > MqttWire.MAX_VAR_INT ? 5 : MqttWire.varIntSize((int) remaining)) + remaining;
    }

    /** The size of the whole packet on the wire, for checking it against a peer's Maximum Packet Size. */
    public static int encodedSize(MqttPacket packet, MqttVersion version) {
        int remaining = remainingLength(packet, version);
        return 1 + MqttWire.varIntSize(remaining) + remaining;
    }

    private static int headerFlags(MqttPacket packet) {
        if (packet instanceof Publish) {
            Publish p = (Publish) packet;
            return (p.dup() ? 0x08 : 0) | p.qos() << 1 | (p.retain() ? 1 : 0);
        }
        return packet.type().requiredFlags();
    }

    static int remainingLength(MqttPacket packet, MqttVersion version) {
        boolean v5 = version.isV5();
        switch (packet.type()) {
            case CONNECT:
                return connectLength((Connect) packet);
            case CONNACK:
                return 2 + (v5 ? PropertiesCodec.size(((ConnAck) packet).properties()) : 0);
            case PUBLISH: {
                Publish p = (Publish) packet;
                return MqttWire.utf8Size(p.topic()) + (p.qos() > 0 ? 2 : 0)
                        + (v5 ? PropertiesCodec.size(p.properties()) : 0) + p.payload().length;
            }
            case PUBACK:
            case PUBREC:
            case PUBREL:
            case PUBCOMP: {
                PublishAcknowledgement a = (PublishAcknowledgement) packet;
                return ackLength(a.reasonCode(), a.properties(), v5, 2);
            }
            case SUBSCRIBE: {
                Subscribe s = (Subscribe) packet;
                int len = 2 + (v5 ? PropertiesCodec.size(s.properties()) : 0);
                for (Subscribe.TopicSubscription t : s.subscriptions()) {
                    len += MqttWire.utf8Size(t.filter()) + 1;
                }
                return len;
            }
            case SUBACK: {
                SubAck s = (SubAck) packet;
                return 2 + (v5 ? PropertiesCodec.size(s.properties()) : 0) + s.reasonCodes().size();
            }
            case UNSUBSCRIBE: {
                Unsubscribe u = (Unsubscribe) packet;
                int len = 2 + (v5 ? PropertiesCodec.size(u.properties()) : 0);
                for (String f : u.filters()) {
                    len += MqttWire.utf8Size(f);
                }
                return len;
            }
            case UNSUBACK: {
                UnsubAck u = (UnsubAck) packet;
                return 2 + (v5 ? PropertiesCodec.size(u.properties()) + u.reasonCodes().size() : 0);
            }
            case PINGREQ:
            case PINGRESP:
                return 0;
            case DISCONNECT: {
                Disconnect d = (Disconnect) packet;
                return v5 ? ackLength(d.reasonCode(), d.properties(), true, 0) : 0;
            }
            case AUTH: {
                Auth a = (Auth) packet;
                return ackLength(a.reasonCode(), a.properties(), true, 0);
            }
            default:
                throw new IllegalArgumentException("unknown packet " + packet);
        }
    }

    /** Acks, DISCONNECT and AUTH drop a Success reason code and empty properties from the end [3.4.2.1]. */
    private static int ackLength(int reasonCode, MqttProperties props, boolean v5, int fixedPart) {
        if (!v5 || (reasonCode == ReasonCode.SUCCESS && props.isEmpty())) {
            return fixedPart;
        }
        return fixedPart + 1 + (props.isEmpty() ? 0 : PropertiesCodec.size(props));
    }

    private static int connectLength(Connect c) {
        boolean v5 = c.version().isV5();
        int len = MqttWire.utf8Size(c.version().protocolName()) + 1 + 1 + 2;
        if (v5) {
            len += PropertiesCodec.size(c.properties());
        }
        len += MqttWire.utf8Size(c.clientId());
        if (c.will() != null) {
            if (v5) {
                len += PropertiesCodec.size(c.will().properties());
            }
            len += MqttWire.utf8Size(c.will().topic()) + 2 + c.will().payload().length;
        }
        if (c.username() != null) {
            len += MqttWire.utf8Size(c.username());
        }
        if (c.password() != null) {
            len += 2 + c.password().length;
        }
        return len;
    }

    private static void writeBody(ByteBuf out, MqttPacket packet, MqttVersion version) {
        boolean v5 = version.isV5();
        switch (packet.type()) {
            case CONNECT -> writeConnect(out, (Connect) packet);
            case CONNACK -> {
                ConnAck c = (ConnAck) packet;
                out.writeByte(c.sessionPresent() ? 1 : 0);
                out.writeByte(c.reasonCode());
                if (v5) {
                    PropertiesCodec.write(out, c.properties());
                }
            }
            case PUBLISH -> {
                Publish p = (Publish) packet;
                MqttWire.writeUtf8(out, p.topic());
                if (p.qos() > 0) {
                    out.writeShort(p.packetId());
                }
                if (v5) {
                    PropertiesCodec.write(out, p.properties());
                }
                out.writeBytes(p.payload());
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> {
                PublishAcknowledgement a = (PublishAcknowledgement) packet;
                out.writeShort(a.packetId());
                writeReasonAndProperties(out, a.reasonCode(), a.properties(), v5);
            }
            case SUBSCRIBE -> {
                Subscribe s = (Subscribe) packet;
                out.writeShort(s.packetId());
                if (v5) {
                    PropertiesCodec.write(out, s.properties());
                }
                for (Subscribe.TopicSubscription t : s.subscriptions()) {
                    MqttWire.writeUtf8(out, t.filter());
                    int options = t.qos();
                    if (v5) {
                        options |= (t.noLocal() ? 0x04 : 0) | (t.retainAsPublished() ? 0x08 : 0)
                                | t.retainHandling() << 4;
                    }
                    out.writeByte(options);
                }
            }
            case SUBACK -> {
                SubAck s = (SubAck) packet;
                out.writeShort(s.packetId());
                if (v5) {
                    PropertiesCodec.write(out, s.properties());
                }
                writeCodes(out, s.reasonCodes());
            }
            case UNSUBSCRIBE -> {
                Unsubscribe u = (Unsubscribe) packet;
                out.writeShort(u.packetId());
                if (v5) {
                    PropertiesCodec.write(out, u.properties());
                }
                for (String f : u.filters()) {
                    MqttWire.writeUtf8(out, f);
                }
            }
            case UNSUBACK -> {
                UnsubAck u = (UnsubAck) packet;
                out.writeShort(u.packetId());
                if (v5) {
                    PropertiesCodec.write(out, u.properties());
                    writeCodes(out, u.reasonCodes());
                }
            }
            case PINGREQ, PINGRESP -> { }
            case DISCONNECT -> {
                Disconnect d = (Disconnect) packet;
                writeReasonAndProperties(out, d.reasonCode(), d.properties(), v5);
            }
            case AUTH -> {
                Auth a = (Auth) packet;
                writeReasonAndProperties(out, a.reasonCode(), a.properties(), true);
            }
        }
    }

    private static void writeReasonAndProperties(ByteBuf out, int reasonCode, MqttProperties props, boolean v5) {
        if (!v5 || (reasonCode == ReasonCode.SUCCESS && props.isEmpty())) {
            return;
        }
        out.writeByte(reasonCode);
        if (!props.isEmpty()) {
            PropertiesCodec.write(out, props);
        }
    }

    private static void writeCodes(ByteBuf out, List<Integer> codes) {
        for (int code : codes) {
            out.writeByte(code);
        }
    }

    private static void writeConnect(ByteBuf out, Connect c) {
        boolean v5 = c.version().isV5();
        MqttWire.writeUtf8(out, c.version().protocolName());
        out.writeByte(c.version().level());
        int flags = (c.cleanStart() ? 0x02 : 0) | (c.username() != null ? 0x80 : 0) | (c.password() != null ? 0x40 : 0);
        if (c.will() != null) {
            flags |= 0x04 | c.will().qos() << 3 | (c.will().retain() ? 0x20 : 0);
        }
        out.writeByte(flags);
        out.writeShort(c.keepAliveSeconds());
        if (v5) {
            PropertiesCodec.write(out, c.properties());
        }
        MqttWire.writeUtf8(out, c.clientId());
        if (c.will() != null) {
            if (v5) {
                PropertiesCodec.write(out, c.will().properties());
            }
            MqttWire.writeUtf8(out, c.will().topic());
            MqttWire.writeBinary(out, c.will().payload());
        }
        if (c.username() != null) {
            MqttWire.writeUtf8(out, c.username());
        }
        if (c.password() != null) {
            MqttWire.writeBinary(out, c.password());
        }
    }
}
