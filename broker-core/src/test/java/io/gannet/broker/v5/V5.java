package io.gannet.broker.v5;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** MQTT 5.0 packets for raw-socket tests. */
public final class V5 {
    private V5() {
    }

    public static MqttProperties.Builder props() {
        return MqttProperties.builder();
    }

    public static byte[] connect(String id, boolean cleanStart, MqttProperties properties) {
        return RawClient.encode(new Connect(MqttVersion.V5, id, cleanStart, 60, null, null, null, properties),
                MqttVersion.V5);
    }

    public static byte[] connect(String id, boolean cleanStart, long sessionExpiry) {
        return connect(id, cleanStart, sessionExpiry == 0 ? MqttProperties.EMPTY
                : props().number(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiry).build());
    }

    public static byte[] connectWithWill(String id, long sessionExpiry, Connect.Will will) {
        MqttProperties p = sessionExpiry == 0 ? MqttProperties.EMPTY
                : props().number(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiry).build();
        return RawClient.encode(new Connect(MqttVersion.V5, id, true, 60, null, null, will, p), MqttVersion.V5);
    }

    public static byte[] subscribe(int packetId, String filter, int qos) {
        return subscribe(packetId, new Subscribe.TopicSubscription(filter, qos, false, false, 0), 0);
    }

    public static byte[] subscribe(int packetId, Subscribe.TopicSubscription sub, int subscriptionId) {
        MqttProperties p = subscriptionId == 0 ? MqttProperties.EMPTY
                : props().number(PropertyId.SUBSCRIPTION_IDENTIFIER, subscriptionId).build();
        return RawClient.encode(new Subscribe(packetId, List.of(sub), p), MqttVersion.V5);
    }

    public static byte[] publish(String topic, int qos, int packetId, MqttProperties properties, String payload) {
        return publish(topic, qos, false, packetId, properties, payload);
    }

    public static byte[] publish(String topic, int qos, boolean retain, int packetId, MqttProperties properties,
                          String payload) {
        return RawClient.encode(new Publish(topic, qos, false, retain, packetId, properties,
                payload.getBytes(StandardCharsets.UTF_8)), MqttVersion.V5);
    }

    public static String text(Publish p) {
        return new String(p.payload(), StandardCharsets.UTF_8);
    }
}
