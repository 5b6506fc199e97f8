package io.gannet.broker.codec;

/** The protocol versions Gannet speaks, with the protocol name and level each sends in CONNECT. */
public enum MqttVersion {
    V3_1("MQIsdp", 3),
    V3_1_1("MQTT", 4),
    V5("MQTT", 5);

    /** {@code values()} without a new array for each CONNECT. */
    private static final MqttVersion[] ALL = values();

    private final String protocolName;
    private final int level;

    MqttVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    public String protocolName() {
        return protocolName;
    }

    public int level() {
        return level;
    }

    public boolean isV5() {
        return this == V5;
    }

    /** Returns the version for a protocol name and level, or {@code null} when Gannet does not speak it. */
    public static MqttVersion of(String protocolName, int level) {
        for (MqttVersion v : ALL) {
            if (v.level == level && v.protocolName.equals(protocolName)) {
                return v;
            }
        }
        return null;
    }
}
