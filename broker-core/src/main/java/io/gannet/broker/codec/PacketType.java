package io.gannet.broker.codec;

/** The 15 MQTT control packet types, by the value of the high nibble of the fixed header. */
public enum PacketType {
    CONNECT(1, 0b0000),
    CONNACK(2, 0b0000),
    PUBLISH(3, -1),
    PUBACK(4, 0b0000),
    PUBREC(5, 0b0000),
    PUBREL(6, 0b0010),
    PUBCOMP(7, 0b0000),
    SUBSCRIBE(8, 0b0010),
    SUBACK(9, 0b0000),
    UNSUBSCRIBE(10, 0b0010),
    UNSUBACK(11, 0b0000),
    PINGREQ(12, 0b0000),
    PINGRESP(13, 0b0000),
    DISCONNECT(14, 0b0000),
    AUTH(15, 0b0000);

    private static final PacketType[] BY_VALUE = new PacketType[16];

    static {
        for (PacketType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    private final int value;
    private final int requiredFlags;

    PacketType(int value, int requiredFlags) {
        this.value = value;
        this.requiredFlags = requiredFlags;
    }

    public int value() {
        return value;
    }

    /**
     * The fixed header's low nibble this type must carry [MQTT-2.1.3-1], or -1 for PUBLISH, whose flags carry DUP,
     * QoS and RETAIN.
     */
    public int requiredFlags() {
        return requiredFlags;
    }

    /** Returns the type for a high-nibble value, or {@code null} for the reserved value 0. */
    public static PacketType of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
