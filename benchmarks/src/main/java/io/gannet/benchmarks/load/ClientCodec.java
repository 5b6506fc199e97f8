package io.gannet.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The client side of MQTT 3.1.1 and 5.0, as far as a load generator needs it: CONNECT, SUBSCRIBE, PUBLISH and the
 * QoS 1 and 2 acknowledgements, PINGREQ, DISCONNECT written into pooled buffers. Topics are encoded once per connection and copied in, so a
 * PUBLISH costs one buffer and no garbage.
 */
final class ClientCodec {
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBACK = 9;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    private ClientCodec() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static int varIntSize(int value) {
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    static void writeVarInt(ByteBuf out, int value) {
        do {
            int b = value % 128;
            value /= 128;
            out.writeByte(value > 0 ? b | 0x80 : b);
        } while (value > 0);
    }

    static int readVarInt(ByteBuf in, int at) {
        int value = 0;
        int multiplier = 1;
        int b;
        int i = at;
        do {
            b = in.getUnsignedByte(i++);
            value += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0 && i - at < 4);
        return value;
    }

    /**
     * The length of the whole packet (fixed header included) that starts at the reader index of {@code in}, or -1
     * while its remaining length is not all here yet. Says nothing of whether the rest of the packet is.
     */
    static int packetLength(ByteBuf in) {
        int start = in.readerIndex();
        int length = 0;
        int multiplier = 1;
        int at = start + 1;
        int b;
        do {
            if (at >= in.writerIndex()) {
                return -1;
            }
            b = in.getUnsignedByte(at++);
            length += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0 && at - start <= 4);
        return at - start + length;
    }

    /**
     * The Receive Maximum in the properties of a 5.0 CONNACK that start at {@code at} (with their length), or 65,535
     * when the broker sent none [MQTT-3.2.2.3.3]. A client must not have more unacknowledged QoS 1 and 2 messages
     * out than this, or the broker disconnects it.
     */
    static int receiveMaximum(ByteBuf in, int at) {
        int length = readVarInt(in, at);
        int p = at + varIntSize(length);
        int end = p + length;
        while (p < end) {
            int id = in.getUnsignedByte(p++);
            switch (id) {
                case 0x21 -> {
                    return in.getUnsignedShort(p);
                }
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> p += 1;
                case 0x13, 0x22, 0x23 -> p += 2;
                case 0x02, 0x11, 0x18, 0x27 -> p += 4;
                case 0x0B -> p += varIntSize(readVarInt(in, p));
                case 0x26 -> {
                    p += 2 + in.getUnsignedShort(p);
                    p += 2 + in.getUnsignedShort(p);
                }
                default -> p += 2 + in.getUnsignedShort(p); // strings and binary data: a two-byte length first
            }
        }
        return 65_535;
    }

    static ByteBuf connect(ByteBufAllocator alloc, boolean v5, String clientId, int keepAliveSeconds) {
        return connect(alloc, v5, clientId, keepAliveSeconds, 0);
    }

    /**
     * CONNECT; with {@code sessionExpirySeconds} above 0 the session outlives the connection: 5.0 keeps Clean Start
     * (a fresh session each run) with a Session Expiry Interval, 3.1.1 connects with clean session 0.
     */
    static ByteBuf connect(ByteBufAllocator alloc, boolean v5, String clientId, int keepAliveSeconds,
                           long sessionExpirySeconds) {
        return connect(alloc, v5, clientId, keepAliveSeconds, sessionExpirySeconds, true);
    }

    /** CONNECT as above; a 5.0 client with {@code cleanStart} false resumes the session it had. */
    static ByteBuf connect(ByteBufAllocator alloc, boolean v5, String clientId, int keepAliveSeconds,
                           long sessionExpirySeconds, boolean cleanStart) {
        byte[] id = utf8(clientId);
        boolean persistent = sessionExpirySeconds > 0;
        int properties = v5 && persistent ? 5 : 0;
        int body = 2 + 4 + 1 + 1 + 2 + (v5 ? 1 + properties : 0) + 2 + id.length;
        ByteBuf out = alloc.buffer(2 + body);
        out.writeByte(0x10);
        writeVarInt(out, body);
        out.writeShort(4).writeBytes(utf8("MQTT"));
        out.writeByte(v5 ? 5 : 4);
        out.writeByte(persistent && (!v5 || !cleanStart) ? 0x00 : 0x02); // clean start / clean session
        out.writeShort(keepAliveSeconds);
        if (v5) {
            out.writeByte(properties);
            if (persistent) {
                out.writeByte(0x11).writeInt((int) Math.min(sessionExpirySeconds, 0xFFFF_FFFFL));
            }
        }
        out.writeShort(id.length).writeBytes(id);
        return out;
    }

    static ByteBuf subscribe(ByteBufAllocator alloc, boolean v5, int packetId, String filter, int qos) {
        byte[] f = utf8(filter);
        int body = 2 + (v5 ? 1 : 0) + 2 + f.length + 1;
        ByteBuf out = alloc.buffer(2 + body);
        out.writeByte(0x82);
        writeVarInt(out, body);
        out.writeShort(packetId);
        if (v5) {
            out.writeByte(0);
        }
        out.writeShort(f.length).writeBytes(f).writeByte(qos);
        return out;
    }

    /**
     * A PUBLISH whose payload starts with {@code sentNanos} (for latency), padded with zeros to
     * {@code payloadSize}.
     */
    static ByteBuf publish(ByteBufAllocator alloc, boolean v5, byte[] topic, int qos, int packetId, int payloadSize,
                           long sentNanos) {
        int body = 2 + topic.length + (qos > 0 ? 2 : 0) + (v5 ? 1 : 0) + payloadSize;
        ByteBuf out = alloc.directBuffer(1 + varIntSize(body) + body);
        out.writeByte(0x30 | (qos << 1));
        writeVarInt(out, body);
        out.writeShort(topic.length).writeBytes(topic);
        if (qos > 0) {
            out.writeShort(packetId);
        }
        if (v5) {
            out.writeByte(0);
        }
        out.writeLong(sentNanos);
        out.writeZero(payloadSize - Long.BYTES);
        return out;
    }

    static ByteBuf pubAck(ByteBufAllocator alloc, int packetId) {
        return alloc.buffer(4).writeByte(0x40).writeByte(2).writeShort(packetId);
    }

    static ByteBuf pubRec(ByteBufAllocator alloc, int packetId) {
        return alloc.buffer(4).writeByte(0x50).writeByte(2).writeShort(packetId);
    }

    static ByteBuf pubRel(ByteBufAllocator alloc, int packetId) {
        return alloc.buffer(4).writeByte(0x62).writeByte(2).writeShort(packetId);
    }

    static ByteBuf pubComp(ByteBufAllocator alloc, int packetId) {
        return alloc.buffer(4).writeByte(0x70).writeByte(2).writeShort(packetId);
    }

    static ByteBuf pingReq(ByteBufAllocator alloc) {
        return alloc.buffer(2).writeByte(0xC0).writeByte(0);
    }

    static ByteBuf disconnect(ByteBufAllocator alloc) {
        return alloc.buffer(2).writeByte(0xE0).writeByte(0);
    }
}
