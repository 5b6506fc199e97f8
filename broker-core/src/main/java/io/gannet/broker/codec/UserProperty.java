package io.gannet.broker.codec;

import java.util.Objects;

/** One MQTT 5.0 user property: a name and value pair; the order of user properties in a packet is kept. */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
