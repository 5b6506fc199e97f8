package io.gannet.broker.testing;

import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A blocking MQTT client that speaks raw bytes, for what client libraries refuse to send: malformed packets,
 * protocol violations, a client that never reads. Reads answer packets as type, flags and body.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A packet as it came from the broker. */
    public record RawPacket(PacketType type, int flags, byte[] body) {
        /** The first body byte: the CONNACK flags, the DISCONNECT reason code. */
        /** Decodes the packet as the broker's codec reads it, for asserting on 5.0 properties. */
        public MqttPacket decode(MqttVersion version) {
            return io.gannet.broker.codec.PacketReader.read(type, flags, io.netty.buffer.Unpooled.wrappedBuffer(body),
                    version);
        }

        public int byteAt(int index) {
            return body[index] & 0xFF;
        }

        /** The packet identifier: after the topic for PUBLISH, first in the body for the others. */
        public int packetId() {
            int at = type == PacketType.PUBLISH ? 2 + ((body[0] & 0xFF) << 8 | (body[1] & 0xFF)) : 0;
            return (body[at] & 0xFF) << 8 | (body[at + 1] & 0xFF);
        }

        public int qos() {
            return (flags >> 1) & 3;
        }

        public boolean dup() {
            return (flags & 8) != 0;
        }

        public boolean retain() {
            return (flags & 1) != 0;
        }
    }

    public RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
    }

    /** Sets how long reads wait. */
    public RawClient readTimeout(Duration timeout) throws SocketException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** Shrinks the socket receive buffer, to play a slow consumer. Call before reading anything. */
    public RawClient receiveBuffer(int bytes) throws SocketException {
        socket.setReceiveBufferSize(bytes);
        return this;
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void send(MqttPacket packet, MqttVersion version) throws IOException {
        send(encode(packet, version));
    }

    public static byte[] encode(MqttPacket packet, MqttVersion version) {
        ByteBuf buf = PacketWriter.encode(UnpooledByteBufAllocator.DEFAULT, packet, version);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Reads the next packet; fails if none comes within the read timeout or the connection closes. */
    public RawPacket read() throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed by the broker");
        }
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new RawPacket(PacketType.of(first >> 4), first & 0x0F, body);
    }

    /** Reads packets until one of {@code type} comes, skipping others (such as retained PUBLISHes). */
    public RawPacket readUntil(PacketType type) throws IOException {
        while (true) {
            RawPacket p = read();
            if (p.type() == type) {
                return p;
            }
        }
    }

    /** Whether the broker closes the connection within the read timeout; packets sent before the close are skipped. */
    public boolean closedByBroker() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what the broker sent before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // connection reset
        }
    }

    /**
     * Whether the broker ends the connection with an orderly close (the end of the stream) rather than a reset;
     * packets sent before the close are skipped. False also when it does not close within the read timeout.
     */
    public boolean closedCleanly() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain what the broker sent before closing
            }
            return true;
        } catch (SocketException | SocketTimeoutException e) {
            return false;
        }
    }

    /**
     * Whether nothing at all arrives, and the connection stays open, for {@code quiet}; for asserting that the
     * broker sends no more. Restores the previous read timeout.
     */
    public boolean silentFor(Duration quiet) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout((int) quiet.toMillis());
        try {
            in.mark(1);
            if (in.read() >= 0) {
                in.reset(); // leave the byte for the next read
            }
            return false; // a byte, or the end of the stream: either way not silent
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** Reads everything the broker sends until it closes; for asserting on the last packet before the close. */
    public byte[] readUntilClosed() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream s = in;
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = s.read(chunk)) >= 0) {
                all.write(chunk, 0, n);
            }
        } catch (SocketException e) {
            // reset after close
        }
        return all.toByteArray();
    }

    /** Closes with a reset (SO_LINGER 0): no TIME_WAIT left on this side, for load that opens many connections. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
