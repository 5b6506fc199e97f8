package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** $SYS/broker/... statistics, published every sys.interval-seconds, retained, not matched by '#'. */
class SysTopicsTest {

    @Test
    void statisticsArePublishedRetainedUnderSys() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("sys.interval-seconds", 1))) {
            Mqtt5BlockingClient c = Clients.v5(broker, "admin");
            c.connect();
            Map<String, String> seen = new HashMap<>();
            try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
                c.subscribeWith().topicFilter("$SYS/#").qos(MqttQos.AT_MOST_ONCE).send();
                // Retained values arrive at once; after the next interval, clients/connected counts us.
                while (!"1".equals(seen.get("$SYS/broker/clients/connected"))) {
                    Mqtt5Publish p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
                    seen.put(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
                }
            }
            assertThat(seen).containsKeys("$SYS/broker/version", "$SYS/broker/uptime", "$SYS/broker/clients/total",
                    "$SYS/broker/clients/maximum", "$SYS/broker/messages/received", "$SYS/broker/messages/sent",
                    "$SYS/broker/bytes/received", "$SYS/broker/bytes/sent", "$SYS/broker/subscriptions/count",
                    "$SYS/broker/retained messages/count", "$SYS/broker/publish/messages/dropped");
            assertThat(seen.get("$SYS/broker/version")).startsWith("gannet ");
            assertThat(seen.get("$SYS/broker/uptime")).endsWith(" seconds");
            c.disconnect();
        }
    }

    @Test
    void aHashSubscriberDoesNotSeeSys() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("sys.interval-seconds", 1))) {
            Mqtt5BlockingClient c = Clients.v5(broker, "all");
            c.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
                c.subscribeWith().topicFilter("#").qos(MqttQos.AT_MOST_ONCE).send();
                Optional<Mqtt5Publish> p = in.receive(2500, TimeUnit.MILLISECONDS); // two intervals
                assertThat(p).as("[MQTT-4.7.2-1]").isEmpty();
            }
            c.disconnect();
        }
    }

    @Test
    void zeroIntervalTurnsSysOff() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("sys.interval-seconds", 0))) {
            Mqtt5BlockingClient c = Clients.v5(broker, "admin");
            c.connect();
            try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
                c.subscribeWith().topicFilter("$SYS/#").qos(MqttQos.AT_MOST_ONCE).send();
                assertThat(in.receive(1500, TimeUnit.MILLISECONDS)).isEmpty();
            }
            assertThat(broker.broker().retained().size()).isZero();
            c.disconnect();
        }
    }
}
