package io.gannet.broker.testing;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;

/** Builders for HiveMQ MQTT clients pointed at an embedded broker. */
public final class Clients {
    private Clients() {
    }

    public static Mqtt3BlockingClient v3(EmbeddedBroker broker, String clientId) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }

    public static Mqtt5BlockingClient v5(EmbeddedBroker broker, String clientId) {
        return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }
}
