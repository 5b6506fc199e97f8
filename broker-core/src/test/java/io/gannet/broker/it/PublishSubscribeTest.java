package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Subscriptions and delivery: wildcards, '$' topics, QoS downgrade, overlapping subscriptions, UNSUBSCRIBE. */
class PublishSubscribeTest {
    private EmbeddedBroker broker;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        broker.close();
    }

    private Mqtt3BlockingClient v3(String id) {
        Mqtt3BlockingClient c = Clients.v3(broker, id);
        c.connect();
        toClose.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    private static void publish(Mqtt3BlockingClient c, String topic, String payload, MqttQos qos) {
        c.publishWith().topic(topic).qos(qos).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    private static String text(Mqtt3Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(MqttQos.class)
    void deliversAtEachQos(MqttQos qos) throws Exception {
        Mqtt3BlockingClient sub = v3("sub");
        Mqtt3BlockingClient pub = v3("pub");
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("a/b").qos(qos).send();
            for (int i = 0; i < 50; i++) {
                publish(pub, "a/b", "m" + i, qos);
            }
            for (int i = 0; i < 50; i++) {
                Optional<Mqtt3Publish> m = in.receive(10, TimeUnit.SECONDS);
                assertThat(m).as("message %d", i).isPresent();
                assertThat(text(m.get())).isEqualTo("m" + i); // in order [MQTT-4.6.0-5]
                assertThat(m.get().getQos()).isEqualTo(qos);
                assertThat(m.get().isRetain()).isFalse();
            }
            assertThat(in.receive(200, TimeUnit.MILLISECONDS)).as("exactly once each").isEmpty();
        }
    }

    @Test
    void wildcardsMatchAsSection47Says() throws Exception {
        Mqtt3BlockingClient pub = v3("pub");
        String[][] cases = {
            // filter, topics that match (|-separated), topics that do not
            {"sport/tennis/+", "sport/tennis/player1|sport/tennis/", "sport/tennis|sport/tennis/a/b"},
            {"sport/#", "sport|sport/tennis|sport/tennis/a/b", "sports|other"},
            {"+/+", "/finance|a/b", "a|a/b/c"},
            {"+", "a", "/a|a/b"},
            {"/+", "/finance", "finance"},
            // $ topics other than $SYS: only the broker publishes under $SYS.
            {"#", "a|a/b|/x", "$ops/x"},
            {"+/monitor/clients", "x/monitor/clients", "$ops/monitor/clients"},
            {"$ops/#", "$ops/broker/uptime", "ops/x"},
        };
        int n = 0;
        for (String[] c : cases) {
            Mqtt3BlockingClient sub = v3("sub" + n++);
            try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter(c[0]).qos(MqttQos.AT_LEAST_ONCE).send();
                for (String t : c[2].split("\\|")) {
                    publish(pub, t, "no", MqttQos.AT_LEAST_ONCE);
                }
                for (String t : c[1].split("\\|")) {
                    publish(pub, t, "yes", MqttQos.AT_LEAST_ONCE);
                    Optional<Mqtt3Publish> m = in.receive(10, TimeUnit.SECONDS);
                    assertThat(m).as("%s should match %s", c[0], t).isPresent();
                    assertThat(m.get().getTopic().toString()).as("filter %s", c[0]).isEqualTo(t);
                    assertThat(text(m.get())).as("%s must not match the earlier topics", c[0]).isEqualTo("yes");
                }
            }
            sub.disconnect();
        }
    }

    @Test
    void downgradesToTheGrantedQos() throws Exception {
        Mqtt3BlockingClient sub = v3("sub");
        Mqtt3BlockingClient pub = v3("pub");
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("q").qos(MqttQos.AT_LEAST_ONCE).send();
            publish(pub, "q", "two", MqttQos.EXACTLY_ONCE);
            assertThat(in.receive(10, TimeUnit.SECONDS).orElseThrow().getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            publish(pub, "q", "zero", MqttQos.AT_MOST_ONCE);
            assertThat(in.receive(10, TimeUnit.SECONDS).orElseThrow().getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOneCopyAtTheHighestQos() throws Exception {
        Mqtt3BlockingClient sub = v3("sub");
        Mqtt3BlockingClient pub = v3("pub");
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("home/#").qos(MqttQos.AT_MOST_ONCE).send();
            sub.subscribeWith().topicFilter("home/+/temp").qos(MqttQos.EXACTLY_ONCE).send();
            sub.subscribeWith().topicFilter("home/kitchen/temp").qos(MqttQos.AT_LEAST_ONCE).send();
            publish(pub, "home/kitchen/temp", "21", MqttQos.EXACTLY_ONCE);
            Mqtt3Publish m = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(m.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            assertThat(in.receive(300, TimeUnit.MILLISECONDS)).as("one copy only").isEmpty();
        }
    }

    @Test
    void resubscribingReplacesTheSubscription() throws Exception {
        Mqtt3BlockingClient sub = v3("sub");
        Mqtt3BlockingClient pub = v3("pub");
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("r").qos(MqttQos.EXACTLY_ONCE).send();
            sub.subscribeWith().topicFilter("r").qos(MqttQos.AT_MOST_ONCE).send(); // [MQTT-3.8.4-3]
            publish(pub, "r", "x", MqttQos.EXACTLY_ONCE);
            assertThat(in.receive(10, TimeUnit.SECONDS).orElseThrow().getQos()).isEqualTo(MqttQos.AT_MOST_ONCE);
            assertThat(in.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
        assertThat(broker.broker().subscriptions().size()).isEqualTo(1);
    }

    @Test
    void unsubscribeStopsDelivery() throws Exception {
        Mqtt3BlockingClient sub = v3("sub");
        Mqtt3BlockingClient pub = v3("pub");
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("u/+").qos(MqttQos.AT_LEAST_ONCE).send();
            publish(pub, "u/1", "before", MqttQos.AT_LEAST_ONCE);
            assertThat(in.receive(10, TimeUnit.SECONDS)).isPresent();
            sub.unsubscribeWith().topicFilter("u/+").send();
            publish(pub, "u/1", "after", MqttQos.AT_LEAST_ONCE);
            assertThat(in.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
        assertThat(broker.broker().subscriptions().size()).isZero();
    }

    @Test
    void refusedFilterGetsTheSubAckFailureCode() throws Exception {
        // A share name with a wildcard (client libraries will not even send it) is refused; the connection stays.
        try (io.gannet.broker.testing.RawClient c = new io.gannet.broker.testing.RawClient(broker.port())) {
            c.send(io.gannet.broker.testing.MalformedCorpus.connect(io.gannet.broker.codec.MqttVersion.V3_1_1, "r"));
            c.read();
            c.send(io.gannet.broker.testing.RawClient.encode(new io.gannet.broker.codec.Subscribe(1,
                    List.of(io.gannet.broker.codec.Subscribe.TopicSubscription.of("$share/g+x/t", 1)),
                    io.gannet.broker.codec.MqttProperties.EMPTY), io.gannet.broker.codec.MqttVersion.V3_1_1));
            io.gannet.broker.testing.RawClient.RawPacket ack = c.read();
            assertThat(ack.type()).isEqualTo(io.gannet.broker.codec.PacketType.SUBACK);
            assertThat(ack.byteAt(2)).isEqualTo(0x80);
            assertThat(c.silentFor(java.time.Duration.ofMillis(200))).as("still connected").isTrue();
        }
    }

    @Test
    void mqtt5AndMqtt3ClientsTalkToEachOther() throws Exception {
        Mqtt5BlockingClient sub = Clients.v5(broker, "sub5");
        sub.connect();
        Mqtt3BlockingClient pub = v3("pub3");
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("mix/#").qos(MqttQos.EXACTLY_ONCE).send();
            publish(pub, "mix/a", "hello", MqttQos.EXACTLY_ONCE);
            Mqtt5Publish m = in.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(m.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        } finally {
            sub.disconnect();
        }
    }

    @Test
    void fanOutReachesEverySubscriberOnBothEventLoops() throws Exception {
        List<Mqtt3BlockingClient> subs = new ArrayList<>();
        List<Mqtt3BlockingClient.Mqtt3Publishes> inboxes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Mqtt3BlockingClient s = v3("fan" + i);
            inboxes.add(s.publishes(MqttGlobalPublishFilter.ALL));
            s.subscribeWith().topicFilter("fan/out").qos(MqttQos.AT_LEAST_ONCE).send();
            subs.add(s);
        }
        Mqtt3BlockingClient pub = v3("pub");
        for (int k = 0; k < 10; k++) {
            publish(pub, "fan/out", "m" + k, MqttQos.AT_LEAST_ONCE);
        }
        for (Mqtt3BlockingClient.Mqtt3Publishes in : inboxes) {
            for (int k = 0; k < 10; k++) {
                assertThat(text(in.receive(10, TimeUnit.SECONDS).orElseThrow())).isEqualTo("m" + k);
            }
            in.close();
        }
    }
}
