package io.gannet.cluster;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;

/** QoS 1 publishing as the cluster tests count it: by the reason code of each PUBACK. */
final class Qos1 {
    private Qos1() {
    }

    /** Publishes {@code payload} to {@code topic} at QoS 1 and waits for its PUBACK's reason code. */
    static Mqtt5PubAckReasonCode reasonOf(Mqtt5BlockingClient pub, String topic, String payload) {
        Mqtt5PublishResult r = pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
        return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
    }
}
