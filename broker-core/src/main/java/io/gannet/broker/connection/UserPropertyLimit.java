package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.UserProperty;
import io.gannet.broker.config.MqttConfig;
import java.util.List;

/**
 * {@code mqtt.max-user-properties-bytes}: user properties travel with a message to every subscriber, so their total
 * size per message is bounded, apart from the packet size.
 */
final class UserPropertyLimit {
    private UserPropertyLimit() {
    }

    /** Whether the user properties hold more characters of names and values than the limit allows. */
    static boolean exceeded(MqttProperties properties, MqttConfig config) {
        List<UserProperty> user = properties.userProperties();
        if (user.isEmpty()) {
            return false; // the common case, on the publish path: nothing to add up
        }
        long total = 0;
        for (UserProperty p : user) {
            total += p.name().length() + p.value().length();
        }
        return total > config.maxUserPropertiesBytes();
    }
}
