package io.gannet.spi;

/**
 * The MQTT protocol version a client connected with.
 *
 * @since 1.0
 */
@Stable
public enum ProtocolVersion {
    MQTT_3_1,
    MQTT_3_1_1,
    MQTT_5
}
