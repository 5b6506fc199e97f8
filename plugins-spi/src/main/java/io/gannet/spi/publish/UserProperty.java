package io.gannet.spi.publish;

import io.gannet.spi.Stable;
import java.util.Objects;

/**
 * One MQTT 5.0 User Property: a name and value pair. A message may carry the same name more than once, and the
 * order is kept end to end.
 *
 * @since 1.0
 */
@Stable
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
