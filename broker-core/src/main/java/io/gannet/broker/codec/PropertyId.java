package io.gannet.broker.codec;

import static io.gannet.broker.codec.PropertyId.Type.BINARY;
import static io.gannet.broker.codec.PropertyId.Type.BYTE;
import static io.gannet.broker.codec.PropertyId.Type.FOUR_BYTE;
import static io.gannet.broker.codec.PropertyId.Type.STRING_PAIR;
import static io.gannet.broker.codec.PropertyId.Type.TWO_BYTE;
import static io.gannet.broker.codec.PropertyId.Type.UTF8;
import static io.gannet.broker.codec.PropertyId.Type.VARINT;

/**
 * The MQTT 5.0 properties (section 2.2.2.2): identifier, wire type, the packets that may carry each, and the value
 * range the spec allows. The decoder checks every received property against this table.
 */
public enum PropertyId {
    PAYLOAD_FORMAT_INDICATOR(0x01, BYTE, 0, 1, false, Scope.PUBLISH | Scope.WILL),
    MESSAGE_EXPIRY_INTERVAL(0x02, FOUR_BYTE, 0, 0xFFFF_FFFFL, false, Scope.PUBLISH | Scope.WILL),
    CONTENT_TYPE(0x03, UTF8, 0, 0, false, Scope.PUBLISH | Scope.WILL),
    RESPONSE_TOPIC(0x08, UTF8, 0, 0, false, Scope.PUBLISH | Scope.WILL),
    CORRELATION_DATA(0x09, BINARY, 0, 0, false, Scope.PUBLISH | Scope.WILL),
    SUBSCRIPTION_IDENTIFIER(0x0B, VARINT, 1, 268_435_455, true, Scope.PUBLISH | Scope.SUBSCRIBE),
    SESSION_EXPIRY_INTERVAL(0x11, FOUR_BYTE, 0, 0xFFFF_FFFFL, false,
            Scope.CONNECT | Scope.CONNACK | Scope.DISCONNECT),
    ASSIGNED_CLIENT_IDENTIFIER(0x12, UTF8, 0, 0, false, Scope.CONNACK),
    SERVER_KEEP_ALIVE(0x13, TWO_BYTE, 0, 0xFFFF, false, Scope.CONNACK),
    AUTHENTICATION_METHOD(0x15, UTF8, 0, 0, false, Scope.CONNECT | Scope.CONNACK | Scope.AUTH),
    AUTHENTICATION_DATA(0x16, BINARY, 0, 0, false, Scope.CONNECT | Scope.CONNACK | Scope.AUTH),
    REQUEST_PROBLEM_INFORMATION(0x17, BYTE, 0, 1, false, Scope.CONNECT),
    WILL_DELAY_INTERVAL(0x18, FOUR_BYTE, 0, 0xFFFF_FFFFL, false, Scope.WILL),
    REQUEST_RESPONSE_INFORMATION(0x19, BYTE, 0, 1, false, Scope.CONNECT),
    RESPONSE_INFORMATION(0x1A, UTF8, 0, 0, false, Scope.CONNACK),
    SERVER_REFERENCE(0x1C, UTF8, 0, 0, false, Scope.CONNACK | Scope.DISCONNECT),
    REASON_STRING(0x1F, UTF8, 0, 0, false, Scope.CONNACK | Scope.ACKS | Scope.SUBACK | Scope.UNSUBACK
            | Scope.DISCONNECT | Scope.AUTH),
    RECEIVE_MAXIMUM(0x21, TWO_BYTE, 1, 0xFFFF, false, Scope.CONNECT | Scope.CONNACK),
    TOPIC_ALIAS_MAXIMUM(0x22, TWO_BYTE, 0, 0xFFFF, false, Scope.CONNECT | Scope.CONNACK),
    TOPIC_ALIAS(0x23, TWO_BYTE, 0, 0xFFFF, false, Scope.PUBLISH),
    MAXIMUM_QOS(0x24, BYTE, 0, 1, false, Scope.CONNACK),
    RETAIN_AVAILABLE(0x25, BYTE, 0, 1, false, Scope.CONNACK),
    USER_PROPERTY(0x26, STRING_PAIR, 0, 0, true, Scope.ALL),
    MAXIMUM_PACKET_SIZE(0x27, FOUR_BYTE, 1, 0xFFFF_FFFFL, false, Scope.CONNECT | Scope.CONNACK),
    WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, BYTE, 0, 1, false, Scope.CONNACK),
    SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, BYTE, 0, 1, false, Scope.CONNACK),
    SHARED_SUBSCRIPTION_AVAILABLE(0x2A, BYTE, 0, 1, false, Scope.CONNACK);

    /** Wire types of property values (section 1.5). */
    public enum Type { BYTE, TWO_BYTE, FOUR_BYTE, VARINT, UTF8, BINARY, STRING_PAIR;

        public boolean isNumeric() {
            return this == BYTE || this == TWO_BYTE || this == FOUR_BYTE || this == VARINT;
        }
    }

    /**
     * Bit masks naming where a property may appear: one bit per packet type value, plus a bit for the will
     * properties inside CONNECT.
     */
    public static final class Scope {
        public static final int CONNECT = 1 << 1;
        public static final int CONNACK = 1 << 2;
        public static final int PUBLISH = 1 << 3;
        public static final int ACKS = 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7;
        public static final int SUBSCRIBE = 1 << 8;
        public static final int SUBACK = 1 << 9;
        public static final int UNSUBSCRIBE = 1 << 10;
        public static final int UNSUBACK = 1 << 11;
        public static final int DISCONNECT = 1 << 14;
        public static final int AUTH = 1 << 15;
        public static final int WILL = 1 << 16;
        public static final int ALL = CONNECT | CONNACK | PUBLISH | ACKS | SUBSCRIBE | SUBACK | UNSUBSCRIBE | UNSUBACK
                | DISCONNECT | AUTH | WILL;

        private Scope() {
        }

        public static int of(PacketType type) {
            return 1 << type.value();
        }
    }

    static final int MAX_ID = 0x2A;
    /** Every property, in declaration order; {@code values()} would copy the array on each call. Never modified. */
    static final PropertyId[] ALL = values();
    private static final PropertyId[] BY_ID = new PropertyId[MAX_ID + 1];

    static {
        for (PropertyId p : values()) {
            BY_ID[p.id] = p;
        }
    }

    private final int id;
    private final Type type;
    private final long min;
    private final long max;
    private final boolean repeatable;
    private final int scope;

    PropertyId(int id, Type type, long min, long max, boolean repeatable, int scope) {
        this.id = id;
        this.type = type;
        this.min = min;
        this.max = max;
        this.repeatable = repeatable;
        this.scope = scope;
    }

    public int id() {
        return id;
    }

    public Type type() {
        return type;
    }

    /** Whether the property may appear more than once in one packet (user properties, subscription ids). */
    public boolean repeatable() {
        return repeatable;
    }

    /** Whether the property may appear where {@code scope} (a {@link Scope} bit) says. */
    public boolean allowedIn(int scope) {
        return (this.scope & scope) != 0;
    }

    /** Whether a numeric value is in the range the spec allows; a value outside is a protocol error. */
    public boolean inRange(long value) {
        return value >= min && value <= max;
    }

    /** Returns the property with this identifier, or {@code null} for an identifier the spec does not define. */
    public static PropertyId of(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
