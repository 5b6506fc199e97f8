package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames and decodes the MQTT byte stream of one connection: an explicit state machine over fixed header, body
 * and discard. A packet may arrive over many reads, and one read may hold many packets.
 *
 * <p>The Remaining Length is checked against the maximum packet size as soon as the fixed header is complete,
 * before any of the body is buffered, so a peer cannot make the broker hold more than that limit. On the first
 * violation the decoder emits a {@link DecoderFailure} and discards all further input.
 */
public final class MqttDecoder extends ByteToMessageDecoder {
    private enum State { FIXED_HEADER, BODY, DISCARD }

    private final int maxPacketSize;
    private State state = State.FIXED_HEADER;
    private MqttVersion version;
    private PacketType type;
    private int flags;
    private int remainingLength;
    /** The last PUBLISH topic of this connection, reused while the client keeps publishing to it; made on the first. */
    private LastTopic lastTopic;

    /** @param maxPacketSize the largest whole packet (fixed header included) this decoder accepts */
    public MqttDecoder(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case DISCARD -> in.skipBytes(in.readableBytes());
            case FIXED_HEADER -> {
                if (readFixedHeader(in, out)) {
                    state = State.BODY;
                    readBody(in, out);
                }
            }
            case BODY -> readBody(in, out);
        }
    }

    private boolean readFixedHeader(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        if (in.readableBytes() < 2) {
            return false;
        }
        int first = in.readUnsignedByte();
        int length = 0;
        int lengthBytes = 0;
        while (true) {
            if (!in.isReadable()) {
                in.readerIndex(start);
                return false;
            }
            int b = in.readUnsignedByte();
            length |= (b & 0x7F) << (7 * lengthBytes);
            lengthBytes++;
            if ((b & 0x80) == 0) {
                break;
            }
            if (lengthBytes == 4) {
                fail(in, out, ReasonCode.MALFORMED_PACKET, "Remaining Length longer than four bytes [MQTT-1.5.5]",
                        false);
                return false;
            }
        }
        PacketType t = PacketType.of(first >> 4);
        int f = first & 0x0F;
        if (t == null) {
            fail(in, out, ReasonCode.MALFORMED_PACKET, "reserved packet type 0", false);
            return false;
        }
        if (version == null && t != PacketType.CONNECT) {
            fail(in, out, ReasonCode.PROTOCOL_ERROR, "first packet is " + t + ", not CONNECT [MQTT-3.1.0-1]", false);
            return false;
        }
        if (version != null && t == PacketType.CONNECT) {
            fail(in, out, ReasonCode.PROTOCOL_ERROR, "second CONNECT [MQTT-3.1.0-2]", false);
            return false;
        }
        if (t.requiredFlags() >= 0 && f != t.requiredFlags()) {
            fail(in, out, ReasonCode.MALFORMED_PACKET, t + " with reserved header flags 0x" + Integer.toHexString(f)
                    + " [MQTT-2.1.3-1]", t == PacketType.CONNECT);
            return false;
        }
        long packetSize = 1L + lengthBytes + length;
        if (packetSize > maxPacketSize) {
            fail(in, out, ReasonCode.PACKET_TOO_LARGE, t + " of " + packetSize + " bytes exceeds the maximum packet size "
                    + maxPacketSize, t == PacketType.CONNECT);
            return false;
        }
        type = t;
        flags = f;
        remainingLength = length;
        return true;
    }

    private void readBody(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < remainingLength) {
            return;
        }
        // The packet is read in place, not through a slice: while it is read, the buffer ends where the packet
        // ends (so a reader that runs past it fails as it would on a slice), and no slice object is made per packet.
        int start = in.readerIndex();
        int end = start + remainingLength;
        int writerIndex = in.writerIndex();
        in.writerIndex(end);
        state = State.FIXED_HEADER;
        DecoderFailure failure = null;
        try {
            if (type == PacketType.CONNECT) {
                Connect connect = ConnectReader.read(in);
                if (in.isReadable()) {
                    throw MalformedPacketException.malformed("CONNECT has bytes past its end");
                }
                version = connect.version();
                out.add(connect);
            } else {
                if (type == PacketType.PUBLISH && lastTopic == null) {
                    lastTopic = new LastTopic(); // idle and subscribe-only connections never pay for it
                }
                out.add(PacketReader.read(type, flags, in, version, lastTopic));
            }
        } catch (MalformedPacketException e) {
            boolean inConnect = type == PacketType.CONNECT;
            if (inConnect) {
                version = peekVersion(in, start);
            }
            failure = new DecoderFailure(e.reasonCode(), e.getMessage(), inConnect, version);
        } catch (ConnectReader.UnsupportedVersionException e) {
            failure = new DecoderFailure(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, e.getMessage(), true, version);
        } finally {
            in.writerIndex(writerIndex);
            in.readerIndex(end);
        }
        if (failure != null) {
            discard(in, out, failure); // with the buffer's end back: all further input goes
        }
    }

    private void fail(ByteBuf in, List<Object> out, int reasonCode, String message, boolean inConnect) {
        discard(in, out, new DecoderFailure(reasonCode, message, inConnect, version));
    }

    /** Reports the first violation and discards everything after it: the connection is finished. */
    private void discard(ByteBuf in, List<Object> out, DecoderFailure failure) {
        state = State.DISCARD;
        in.skipBytes(in.readableBytes());
        out.add(failure);
    }

    /** Reads the protocol name and level at the start of a CONNECT body, to answer a bad CONNECT in its version. */
    private static MqttVersion peekVersion(ByteBuf in, int bodyStart) {
        in.readerIndex(bodyStart);
        try {
            return MqttVersion.of(MqttWire.readUtf8(in), MqttWire.readUnsignedByte(in));
        } catch (MalformedPacketException e) {
            return null;
        }
    }
}
