package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retained messages: set, replace, clear with an empty payload, delivered on subscribe through wildcards. */
class RetainedTest {
    private EmbeddedBroker broker;
    private Mqtt3BlockingClient pub;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start();
        pub = Clients.v3(broker, "pub");
        pub.connect();
    }

    @AfterEach
    void stop() {
        pub.disconnect();
        broker.close();
    }

    private void retain(String topic, String payload, MqttQos qos) {
        pub.publishWith().topic(topic).qos(qos).retain(true).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    /** Subscribes a fresh client and collects what arrives as retained within a short while. */
    private Map<String, Mqtt3Publish> retainedFor(String filter, MqttQos qos, int expected) throws Exception {
        Mqtt3BlockingClient sub = Clients.v3(broker, "sub-" + filter.hashCode());
        sub.connect();
        Map<String, Mqtt3Publish> got = new HashMap<>();
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter(filter).qos(qos).send();
            for (int i = 0; i < expected; i++) {
                Mqtt3Publish p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
                got.put(p.getTopic().toString(), p);
            }
            assertThat(in.receive(300, TimeUnit.MILLISECONDS)).as("no more retained for %s", filter).isEmpty();
        } finally {
            sub.disconnect();
        }
        return got;
    }

    private static String text(Mqtt3Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void deliversRetainedOnSubscribeWithTheRetainFlag() throws Exception {
        retain("home/kitchen/temp", "21", MqttQos.AT_LEAST_ONCE);
        retain("home/hall/temp", "19", MqttQos.AT_MOST_ONCE);
        retain("office/temp", "23", MqttQos.EXACTLY_ONCE);
        Map<String, Mqtt3Publish> got = retainedFor("home/+/temp", MqttQos.EXACTLY_ONCE, 2);
        assertThat(got).containsOnlyKeys("home/kitchen/temp", "home/hall/temp");
        assertThat(got.values()).allMatch(Mqtt3Publish::isRetain); // [MQTT-3.3.1-8]
        assertThat(got.get("home/kitchen/temp").getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(got.get("home/hall/temp").getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(retainedFor("#", MqttQos.AT_LEAST_ONCE, 3)).hasSize(3);
        // Downgraded to the subscription's QoS.
        assertThat(retainedFor("office/#", MqttQos.AT_MOST_ONCE, 1).get("office/temp").getQos())
                .isEqualTo(MqttQos.AT_MOST_ONCE);
        assertThat(broker.broker().retained().size()).isEqualTo(3);
    }

    @Test
    void replacesAndClears() throws Exception {
        retain("r/a", "one", MqttQos.AT_LEAST_ONCE);
        retain("r/a", "two", MqttQos.AT_LEAST_ONCE); // replaces [MQTT-3.3.1-5]
        assertThat(text(retainedFor("r/a", MqttQos.AT_LEAST_ONCE, 1).get("r/a"))).isEqualTo("two");
        retain("r/a", "", MqttQos.AT_LEAST_ONCE); // clears [MQTT-3.3.1-10]
        assertThat(retainedFor("r/#", MqttQos.AT_LEAST_ONCE, 0)).isEmpty();
        assertThat(broker.broker().retained().size()).isZero();
    }

    @Test
    void forwardsARetainedPublishToCurrentSubscribersWithoutTheFlag() throws Exception {
        Mqtt3BlockingClient sub = Clients.v3(broker, "live");
        sub.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("live").qos(MqttQos.AT_LEAST_ONCE).send();
            retain("live", "now", MqttQos.AT_LEAST_ONCE);
            Mqtt3Publish p = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.isRetain()).as("established subscription [MQTT-3.3.1-9]").isFalse();
        } finally {
            sub.disconnect();
        }
    }

    @Test
    void dollarTopicsAreNotMatchedByLeadingWildcards() throws Exception {
        retain("$internal/x", "hidden", MqttQos.AT_LEAST_ONCE);
        retain("visible/x", "shown", MqttQos.AT_LEAST_ONCE);
        assertThat(retainedFor("#", MqttQos.AT_LEAST_ONCE, 1)).containsOnlyKeys("visible/x");
        assertThat(retainedFor("+/x", MqttQos.AT_LEAST_ONCE, 1)).containsOnlyKeys("visible/x");
        assertThat(retainedFor("$internal/#", MqttQos.AT_LEAST_ONCE, 1)).containsOnlyKeys("$internal/x");
    }
}
