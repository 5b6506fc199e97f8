package io.gannet.broker.testing;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed and forbidden input, each case with the reaction the spec requires. Shared by the decoder unit test
 * and the raw-socket test against a running broker. Cases that follow a CONNECT carry the CONNECT bytes first.
 */
public final class MalformedCorpus {
    /** What the broker must do. */
    public enum Kind {
        /** Answer with CONNACK carrying {@code code}, then close. */
        CONNACK,
        /** 5.0: send DISCONNECT with reason {@code code}, then close. */
        DISCONNECT,
        /** Close without an answer (3.x, or before any CONNECT). */
        CLOSE
    }

    /**
     * @param decoderReason the reason code the decoder itself reports, or -1 when only the broker (not the codec)
     *                      detects the violation
     */
    public record Case(String name, byte[] bytes, Kind kind, int code, int decoderReason) {
        @Override
        public String toString() {
            return name;
        }
    }

    private MalformedCorpus() {
    }

    public static final int MAX_PACKET_SIZE = 4096;

    public static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        byte[] v5 = connect(MqttVersion.V5, "c5");
        byte[] v3 = connect(MqttVersion.V3_1_1, "c3");
        int malformed = ReasonCode.MALFORMED_PACKET;
        int protocol = ReasonCode.PROTOCOL_ERROR;

        // Remaining Length with a fifth byte [MQTT-1.5.5-1].
        byte[] longLength = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
        c.add(after(v5, "remaining length of five bytes, 5.0", longLength, Kind.DISCONNECT, malformed));
        c.add(after(v3, "remaining length of five bytes, 3.1.1", longLength, Kind.CLOSE, malformed));
        // Reserved fixed-header flags [MQTT-2.1.3-1]: SUBSCRIBE must carry 0010.
        byte[] badFlags = packet(0x80, id(1), str("a"), b(0));
        c.add(after(v5, "SUBSCRIBE with reserved flags 0000", badFlags, Kind.DISCONNECT, malformed));
        c.add(after(v3, "SUBSCRIBE with reserved flags 0000, 3.1.1", badFlags, Kind.CLOSE, malformed));
        c.add(after(v5, "PINGREQ with flags 0001", packet(0xC1), Kind.DISCONNECT, malformed));
        c.add(after(v5, "reserved packet type 0", packet(0x00), Kind.DISCONNECT, malformed));
        // QoS 3 [MQTT-3.3.1-4] and DUP on QoS 0 [MQTT-3.3.1-2].
        c.add(after(v5, "PUBLISH with QoS 3", packet(0x36, str("t"), id(1), b(0), bytes("x")), Kind.DISCONNECT,
                malformed));
        c.add(after(v3, "PUBLISH with QoS 3, 3.1.1", packet(0x36, str("t"), id(1), bytes("x")), Kind.CLOSE, malformed));
        c.add(after(v5, "QoS 0 PUBLISH with DUP", packet(0x38, str("t"), b(0)), Kind.DISCONNECT, malformed));
        // Strings [MQTT-1.5.4-1, MQTT-1.5.4-2].
        c.add(after(v5, "ill-formed UTF-8 in a topic", packet(0x30, b(0, 2, 0xC3, 0x28), b(0)), Kind.DISCONNECT,
                malformed));
        c.add(after(v5, "UTF-16 surrogate encoded in UTF-8", packet(0x30, b(0, 3, 0xED, 0xA0, 0x80), b(0)),
                Kind.DISCONNECT, malformed));
        c.add(after(v5, "overlong UTF-8 for '/'", packet(0x30, b(0, 2, 0xC0, 0xAF), b(0)), Kind.DISCONNECT, malformed));
        c.add(after(v5, "U+0000 in a topic", packet(0x30, b(0, 3, 'a', 0, 'b'), b(0)), Kind.DISCONNECT, malformed));
        c.add(after(v3, "U+0000 in a topic, 3.1.1", packet(0x30, b(0, 3, 'a', 0, 'b')), Kind.CLOSE, malformed));
        // Topic names and filters.
        c.add(after(v5, "wildcard in a PUBLISH topic", packet(0x30, str("a/+"), b(0)), Kind.DISCONNECT, malformed));
        c.add(after(v5, "empty topic without a topic alias", packet(0x30, str(""), b(0)), Kind.DISCONNECT, protocol));
        c.add(after(v3, "empty topic, 3.1.1", packet(0x30, str("")), Kind.CLOSE, malformed));
        c.add(after(v5, "filter a/#/b", packet(0x82, id(1), b(0), str("a/#/b"), b(1)), Kind.DISCONNECT, malformed));
        c.add(after(v5, "filter a+", packet(0x82, id(1), b(0), str("a+"), b(1)), Kind.DISCONNECT, malformed));
        c.add(after(v3, "filter a/#/b, 3.1.1", packet(0x82, id(1), str("a/#/b"), b(1)), Kind.CLOSE, malformed));
        c.add(after(v5, "UNSUBSCRIBE filter sport+", packet(0xA2, id(1), b(0), str("sport+")), Kind.DISCONNECT,
                malformed));
        c.add(after(v5, "SUBSCRIBE with no filter", packet(0x82, id(1), b(0)), Kind.DISCONNECT, protocol));
        c.add(after(v5, "SUBSCRIBE QoS 3", packet(0x82, id(1), b(0), str("a"), b(3)), Kind.DISCONNECT, malformed));
        c.add(after(v5, "SUBSCRIBE option reserved bit 6", packet(0x82, id(1), b(0), str("a"), b(0x40)),
                Kind.DISCONNECT, malformed));
        c.add(after(v3, "SUBSCRIBE option bit 2 in 3.1.1", packet(0x82, id(1), str("a"), b(0x04)), Kind.CLOSE,
                malformed));
        // Packet identifiers [MQTT-2.2.1-3].
        c.add(after(v5, "QoS 1 PUBLISH with packet id 0", packet(0x32, str("t"), id(0), b(0)), Kind.DISCONNECT,
                protocol));
        c.add(after(v5, "SUBSCRIBE with packet id 0", packet(0x82, id(0), b(0), str("a"), b(0)), Kind.DISCONNECT,
                protocol));
        c.add(after(v3, "PUBACK with packet id 0, 3.1.1", packet(0x40, id(0)), Kind.CLOSE, protocol));
        // Ordering [MQTT-3.1.0-1, MQTT-3.1.0-2].
        c.add(after(v5, "second CONNECT", v5, Kind.DISCONNECT, protocol));
        c.add(new Case("PINGREQ before CONNECT", packet(0xC0), Kind.CLOSE, 0, protocol));
        c.add(new Case("PUBLISH before CONNECT", packet(0x30, str("t")), Kind.CLOSE, 0, protocol));
        // Properties [2.2.2.2].
        c.add(after(v5, "duplicate Message Expiry Interval", packet(0x30, str("t"),
                props(b(0x02, 0, 0, 0, 5), b(0x02, 0, 0, 0, 6))), Kind.DISCONNECT, protocol));
        c.add(after(v5, "Session Expiry Interval in PUBLISH", packet(0x30, str("t"), props(b(0x11, 0, 0, 0, 5))),
                Kind.DISCONNECT, malformed));
        c.add(after(v5, "unknown property 0x7F", packet(0x30, str("t"), props(b(0x7F, 0))), Kind.DISCONNECT,
                malformed));
        c.add(after(v5, "Payload Format Indicator 2", packet(0x30, str("t"), props(b(0x01, 2))), Kind.DISCONNECT,
                protocol));
        c.add(after(v5, "property length past the packet", packet(0x30, str("t"), b(20, 0x01)), Kind.DISCONNECT,
                malformed));
        c.add(after(v5, "topic length past the packet", packet(0x30, b(0, 100, 'a')), Kind.DISCONNECT, malformed));
        c.add(after(v5, "PUBACK with a reason and a bad property length", packet(0x40, id(1), b(0, 9)),
                Kind.DISCONNECT, malformed));
        c.add(after(v3, "AUTH in 3.1.1", packet(0xF0), Kind.CLOSE, malformed));
        c.add(after(v3, "PINGREQ with a body, 3.1.1", packet(0xC0, b(1)), Kind.CLOSE, malformed));
        // Size [MQTT-3.2.2.3.6]: refused from the header alone.
        c.add(after(v5, "PUBLISH larger than the maximum packet size",
                b(0x30, 0x80, 0x80, 0x04), Kind.DISCONNECT, ReasonCode.PACKET_TOO_LARGE));
        // Bad CONNECTs [MQTT-3.1.2-*].
        c.add(new Case("CONNECT with the reserved flag set, 5.0", connectWithFlags(5, 0x03), Kind.CONNACK, malformed,
                malformed));
        c.add(new Case("CONNECT with the reserved flag set, 3.1.1", connectWithFlags(4, 0x03), Kind.CLOSE, 0,
                malformed));
        c.add(new Case("CONNECT with will QoS 3", connectWithFlags(5, 0x1E), Kind.CONNACK, malformed, malformed));
        c.add(new Case("CONNECT with will retain but no will, 3.1.1", connectWithFlags(4, 0x22), Kind.CLOSE, 0,
                malformed));
        c.add(new Case("CONNECT with a password but no user name, 3.1.1", connectWithFlags(4, 0x42), Kind.CLOSE, 0,
                malformed));
        c.add(new Case("CONNECT for protocol level 6", packet(0x10, str("MQTT"), b(6, 2, 0, 60), str("c")),
                Kind.CONNACK, ReasonCode.V3_UNACCEPTABLE_PROTOCOL_VERSION, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION));
        c.add(new Case("CONNECT for an unknown protocol name", packet(0x10, str("HTTP"), b(4, 2, 0, 60), str("c")),
                Kind.CLOSE, 0, malformed));
        c.add(new Case("CONNECT with flags 0001 in the fixed header", withFirstByte(v3, 0x11), Kind.CLOSE, 0,
                malformed));
        // Violations only the broker sees: the frames are well-formed.
        c.add(new Case("empty client id with a persistent session, 3.1.1",
                RawClient.encode(new Connect(MqttVersion.V3_1_1, "", false, 60, null, null, null,
                        MqttProperties.EMPTY), MqttVersion.V3_1_1), Kind.CONNACK, ReasonCode.V3_IDENTIFIER_REJECTED, -1));
        c.add(new Case("empty client id, 3.1", RawClient.encode(new Connect(MqttVersion.V3_1, "", true, 60, null, null,
                null, MqttProperties.EMPTY), MqttVersion.V3_1), Kind.CONNACK, ReasonCode.V3_IDENTIFIER_REJECTED, -1));
        c.add(after(v5, "CONNACK sent by a client", packet(0x20, b(0, 0), b(0)), Kind.DISCONNECT, protocol, -1));
        c.add(after(v5, "topic alias beyond Topic Alias Maximum (16)", packet(0x30, str("t"), props(b(0x23, 0, 32))),
                Kind.DISCONNECT, ReasonCode.TOPIC_ALIAS_INVALID, -1));
        c.add(after(v5, "subscription identifier in a client PUBLISH", packet(0x30, str("t"), props(b(0x0B, 1))),
                Kind.DISCONNECT, protocol, -1));
        c.add(after(v5, "AUTH without an authentication method", packet(0xF0), Kind.DISCONNECT, protocol, -1));
        return c;
    }

    private static Case after(byte[] connect, String name, byte[] bytes, Kind kind, int code) {
        return after(connect, name, bytes, kind, code, code);
    }

    private static Case after(byte[] connect, String name, byte[] bytes, Kind kind, int code, int decoderReason) {
        return new Case(name, concat(connect, bytes), kind, kind == Kind.CLOSE ? 0 : code, decoderReason);
    }

    public static byte[] connect(MqttVersion version, String clientId) {
        return RawClient.encode(new Connect(version, clientId, true, 60, null, null, null, MqttProperties.EMPTY),
                version);
    }

    private static byte[] connectWithFlags(int level, int flags) {
        return level == 5
                ? packet(0x10, str("MQTT"), b(5, flags, 0, 60), b(0), str("c"))
                : packet(0x10, str("MQTT"), b(4, flags, 0, 60), str("c"));
    }

    private static byte[] withFirstByte(byte[] packet, int first) {
        byte[] copy = packet.clone();
        copy[0] = (byte) first;
        return copy;
    }

    /** A packet: first byte, Remaining Length, then the parts. */
    public static byte[] packet(int firstByte, byte[]... parts) {
        byte[] body = concat(parts);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int len = body.length;
        do {
            int digit = len & 0x7F;
            len >>>= 7;
            out.write(len > 0 ? digit | 0x80 : digit);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] props(byte[]... properties) {
        byte[] all = concat(properties);
        return concat(b(all.length), all);
    }

    public static byte[] str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return concat(b(utf8.length >> 8, utf8.length & 0xFF), utf8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] id(int id) {
        return b(id >> 8, id & 0xFF);
    }

    public static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
