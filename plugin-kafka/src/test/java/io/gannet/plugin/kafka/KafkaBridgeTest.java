package io.gannet.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult.Mqtt5Qos1Result;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.events.BrokerEventListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The bridge against a real Kafka broker (a child JVM, KRaft), with real MQTT clients: what a record looks like,
 * when publishers are acknowledged in each mode, what happens while Kafka is stopped or frozen, and the way back
 * from Kafka with its offsets.
 */
class KafkaBridgeTest {
    @TempDir
    static Path kafkaDir;
    private static KafkaProcess kafka;

    @TempDir
    Path home;
    private Broker broker;
    private KafkaBridgePlugin plugin;
    private final DropListener drops = new DropListener();

    /** Collects the message-dropped events the broker raises, as any plugin that listens gets them. */
    static final class DropListener implements Plugin {
        final List<BrokerEventListener.MessageDropped> events = new CopyOnWriteArrayList<>();

        @Override
        public void start(PluginContext context) {
            context.registerEventListener(new BrokerEventListener() {
                @Override
                public void messageDropped(MessageDropped event) {
                    events.add(event);
                }
            });
        }
    }
    private String topic;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = new KafkaProcess(kafkaDir).start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void name(TestInfo info) {
        topic = info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "") + "-"
                + System.nanoTime() % 100000;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
        if (broker != null) {
            broker.close();
        }
        kafka.thaw(); // a test that failed while Kafka was frozen must not freeze the next ones
    }

    /** Starts the broker with the bridge, {@code plugins.KafkaBridgePlugin} given in YAML ({@code %s}: Kafka). */
    private void startBroker(String bridgeYaml) throws Exception {
        Map<String, Object> section = new Yaml().load(bridgeYaml.replace("%KAFKA%", kafka.bootstrap()));
        @SuppressWarnings("unchecked")
        Map<String, Object> buffer = (Map<String, Object>) section.computeIfAbsent("buffer",
                k -> new LinkedHashMap<String, Object>());
        buffer.putIfAbsent("directory", home.resolve("kafka-buffer").toString()); // each test its own
        Map<String, Object> plugins = new LinkedHashMap<>();
        plugins.put("KafkaBridgePlugin", section);
        plugins.put("acknowledgement-timeout-seconds", 120);
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", plugins))
                .withListeners(List.of(new ListenerConfig("mqtt", "127.0.0.1", 0, "mqtt")));
        plugin = new KafkaBridgePlugin();
        broker = new Broker(config).embed(plugin).embed(drops).start();
        assertThat(broker.plugins().refused()).isEmpty();
    }

    private String toKafka(String acknowledge, String extra) {
        return """
                clusters:
                  local:
                    bootstrap-servers: %KAFKA%
                to-kafka:
                  - name: t
                    mqtt-topics: ["devices/+/telemetry"]
                    kafka-topic: "TOPIC"
                    acknowledge: ACK
                """.replace("TOPIC", topic).replace("ACK", acknowledge) + extra;
    }

    private Mqtt5AsyncClient client5(String id) {
        Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.address("mqtt").getPort()).buildAsync();
        c.connect().join();
        clients.add(() -> c.disconnect().get(5, TimeUnit.SECONDS));
        return c;
    }

    /** The reason code of a QoS 1 PUBACK, whether the client reports it as a result or (an error code) a failure. */
    private static Mqtt5PubAckReasonCode pubAck(CompletableFuture<Mqtt5PublishResult> publish) throws Exception {
        try {
            return ((Mqtt5Qos1Result) publish.get(120, TimeUnit.SECONDS)).getPubAck().getReasonCode();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }

    private static String text(Header h) {
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aRecordCarriesThePayloadTheKeyTheMqttMetadataAndTheUserPropertiesInOrder() throws Exception {
        startBroker("""
                clusters:
                  local:
                    bootstrap-servers: %KAFKA%
                to-kafka:
                  - name: t
                    mqtt-topics: ["devices/+/telemetry"]
                    kafka-topic: "TOPIC-${topic[1]}"
                    key: "${client-id}|${username}|${user-property:site}"
                    acknowledge: after-kafka
                """.replace("TOPIC", topic));
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("dev-1").serverHost("127.0.0.1")
                .serverPort(broker.address("mqtt").getPort()).simpleAuth().username("alice").applySimpleAuth()
                .buildBlocking();
        c.connect();
        clients.add(c::disconnect);
        long before = System.currentTimeMillis();
        c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[] {0, 1, 2, (byte) 255}).retain(true)
                .userProperties().add("site", "north").add("b", "2").add("site", "south").applyUserProperties()
                .build());
        long after = System.currentTimeMillis();
        c.publish(Mqtt5Publish.builder().topic("devices/d1/status").qos(MqttQos.AT_LEAST_ONCE).build()); // no match

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic + "-d1", 1, Duration.ofSeconds(30));
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.value()).containsExactly(0, 1, 2, 255);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("dev-1|alice|north");
            assertThat(r.timestamp()).isBetween(before, after);
            List<String> headers = new ArrayList<>();
            r.headers().forEach(h -> headers.add(h.key() + "=" + text(h)));
            assertThat(headers).containsExactly("mqtt.topic=devices/d1/telemetry", "mqtt.client-id=dev-1",
                    "mqtt.qos=1", "mqtt.retain=true", "site=north", "b=2", "site=south");
        });
        assertThat(plugin.metrics("t").records.value()).isEqualTo(1);
    }

    @Test
    void afterKafkaNeverAcknowledgesWhatKafkaDoesNotHave() throws Exception {
        startBroker(toKafka("after-kafka", ""));
        Mqtt5AsyncClient c = client5("p");
        c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload("warm".getBytes()).build()).get(30, TimeUnit.SECONDS); // metadata known, producer ready
        kafka.freeze();
        CompletableFuture<Mqtt5PublishResult> ack = c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry")
                .qos(MqttQos.AT_LEAST_ONCE).payload("held".getBytes()).build());
        // The bridge has taken the message while Kafka cannot answer: its PUBACK must wait.
        await().atMost(Duration.ofSeconds(10)).until(() -> plugin.metrics("t").accepted.value() == 2);
        assertThat(plugin.metrics("t").records.value()).as("in Kafka").isEqualTo(1);
        assertThat(ack).as("no PUBACK while Kafka is frozen").isNotDone();
        kafka.thaw();
        assertThat(ack.get(60, TimeUnit.SECONDS).getError()).isEmpty();
        assertThat(kafka.readAll(topic, 2, Duration.ofSeconds(30))).extracting(r -> new String(r.value()))
                .containsExactly("warm", "held");
    }

    @Test
    void aQos1LoadThroughAKafkaStopAndFreezeLosesNothingAcknowledged() throws Exception {
        startBroker(toKafka("after-kafka", ""));
        Mqtt5AsyncClient c = client5("loader");
        int total = 3000;
        List<CompletableFuture<Mqtt5PublishResult>> acks = new ArrayList<>();
        MappingMetrics metrics = plugin.metrics("t");
        publish(c, acks, 0, 1000);
        // Frozen under load: the bridge takes messages that Kafka cannot have, and holds their PUBACKs.
        kafka.freeze();
        publish(c, acks, 1000, 1600);
        await().atMost(Duration.ofSeconds(60)).until(() -> metrics.accepted.value() - metrics.records.value() >= 500);
        kafka.thaw();
        publish(c, acks, 1600, 2000);
        // Stopped under load, then started again on the same data.
        kafka.stop();
        publish(c, acks, 2000, 2600);
        await().atMost(Duration.ofSeconds(60)).until(() -> metrics.accepted.value() - metrics.records.value() >= 500);
        kafka.start();
        publish(c, acks, 2600, total);
        List<Integer> acknowledged = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            if (!pubAck(acks.get(i)).isError()) {
                acknowledged.add(i);
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, total, Duration.ofSeconds(60));
        Map<String, List<Integer>> perTopic = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            perTopic.computeIfAbsent(new String(r.key()), k -> new ArrayList<>())
                    .add(Integer.parseInt(new String(r.value())));
        }
        List<Integer> inKafka = perTopic.values().stream().flatMap(List::stream).distinct().toList();
        assertThat(inKafka).as("every acknowledged message is in Kafka").containsAll(acknowledged);
        assertThat(acknowledged).as("the outage was ridden out, not refused").hasSize(total);
        for (List<Integer> values : perTopic.values()) {
            assertThat(values).as("in order per MQTT topic").isSorted();
        }
    }

    private static void publish(Mqtt5AsyncClient c, List<CompletableFuture<Mqtt5PublishResult>> acks, int from,
                                int to) {
        for (int i = from; i < to; i++) {
            acks.add(c.publish(Mqtt5Publish.builder().topic("devices/d" + (i % 3) + "/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(Integer.toString(i).getBytes()).build()));
        }
    }

    @Test
    void atOnceAcknowledgesWhileKafkaIsAwayAndDeliversInOrderWhenItIsBack() throws Exception {
        startBroker(toKafka("at-once", ""));
        Mqtt5AsyncClient c = client5("p");
        c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload("0".getBytes()).build()).get(30, TimeUnit.SECONDS);
        kafka.stop();
        for (int i = 1; i <= 200; i++) {
            Mqtt5PublishResult r = c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(Integer.toString(i).getBytes()).build())
                    .get(30, TimeUnit.SECONDS);
            assertThat(r.getError()).isEmpty();
        }
        kafka.start();
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, 201, Duration.ofSeconds(60));
        assertThat(records).extracting(r -> Integer.parseInt(new String(r.value())))
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, 200).boxed().toList());
    }

    @Test
    void aFullBufferRefusesWith0x97AndDisconnectsA311Publisher() throws Exception {
        startBroker(toKafka("at-once", """
                buffer:
                  max-bytes: 1048576
                  when-full: refuse
                """));
        Mqtt5AsyncClient c = client5("p5");
        c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload("0".getBytes()).build()).get(30, TimeUnit.SECONDS);
        kafka.freeze();
        try {
            byte[] big = new byte[64 * 1024];
            Mqtt5PubAckReasonCode code = null;
            for (int i = 0; i < 200 && code != Mqtt5PubAckReasonCode.QUOTA_EXCEEDED; i++) {
                code = pubAck(c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry")
                        .qos(MqttQos.AT_LEAST_ONCE).payload(big).build()));
            }
            assertThat(code).as("refused once the buffer is full").isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
            assertThat(plugin.metrics("t").dropped.value()).isPositive();

            Mqtt3AsyncClient old = MqttClient.builder().useMqttVersion3().identifier("p3").serverHost("127.0.0.1")
                    .serverPort(broker.address("mqtt").getPort()).buildAsync();
            old.connect().get(10, TimeUnit.SECONDS);
            CompletableFuture<?> refused = old.publishWith().topic("devices/d2/telemetry")
                    .qos(MqttQos.AT_LEAST_ONCE).payload(big).send();
            await().atMost(Duration.ofSeconds(30)).until(() -> !old.getState().isConnected());
            assertThat(refused.isDone() && !refused.isCompletedExceptionally()).as("no PUBACK for a refused message")
                    .isFalse();
        } finally {
            kafka.thaw();
        }
    }

    @Test
    void dropOldestMakesRoomAndCountsTheDrops() throws Exception {
        startBroker(toKafka("at-once", """
                buffer:
                  max-bytes: 1048576
                  when-full: drop-oldest
                """));
        Mqtt5AsyncClient c = client5("p");
        c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry").qos(MqttQos.AT_LEAST_ONCE)
                .payload("first".getBytes()).build()).get(30, TimeUnit.SECONDS);
        kafka.freeze();
        byte[] big = new byte[64 * 1024];
        try {
            for (int i = 0; i < 100; i++) {
                big[0] = (byte) i;
                assertThat(pubAck(c.publish(Mqtt5Publish.builder().topic("devices/d1/telemetry")
                        .qos(MqttQos.AT_LEAST_ONCE).payload(big.clone()).build())).isError()).isFalse();
            }
            // The oldest records on disk make room for the newest, as the buffer writes them.
            await().atMost(Duration.ofSeconds(30)).until(() -> plugin.metrics("t").dropped.value() > 0);
        } finally {
            kafka.thaw();
        }
        long dropped = plugin.metrics("t").dropped.value();
        // Each drop is reported to the broker too, which raises it as an event for the plugins that listen.
        await().atMost(Duration.ofSeconds(10)).until(() -> drops.events.size() == dropped);
        assertThat(drops.events).allSatisfy(e -> {
            assertThat(e.reason()).isEqualTo("KafkaBridgePlugin/buffer-full");
            assertThat(e.clientId()).isEqualTo("p");
            assertThat(e.topic()).isEqualTo("devices/d1/telemetry");
            assertThat(e.qos()).isEqualTo(1);
        });
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll(topic, (int) (101 - dropped),
                Duration.ofSeconds(60));
        assertThat(records).hasSize((int) (101 - dropped));
        List<Integer> kept = records.stream().map(r -> r.value().length > 1 ? (int) r.value()[0] : -1).toList();
        assertThat(kept.get(kept.size() - 1)).as("the newest kept: %s", kept).isEqualTo(99);
        assertThat(kept.subList(1, kept.size())).as("in order").isSorted();
    }

    @Test
    void fromKafkaPublishesIntoMqttAndCommitsWhatTheBrokerTook() throws Exception {
        kafka.createTopic(topic, 1);
        String bridge = """
                clusters:
                  local:
                    bootstrap-servers: %KAFKA%
                from-kafka:
                  - name: f
                    kafka-topics: ["TOPIC"]
                    group-id: GROUP
                    mqtt-topic: "devices/${key}/commands"
                    qos: 1
                """.replace("TOPIC", topic).replace("GROUP", "g-" + topic);
        startBroker(bridge);
        Mqtt5AsyncClient sub = client5("sub");
        List<Mqtt5Publish> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        sub.subscribeWith().topicFilter("devices/+/commands").qos(MqttQos.AT_LEAST_ONCE).callback(got::add).send()
                .get(10, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            ProducerRecord<byte[], byte[]> withHeader = new ProducerRecord<>(topic, "d1".getBytes(), "on".getBytes());
            withHeader.headers().add("trace", "abc".getBytes());
            producer.send(withHeader).get();
            producer.send(new ProducerRecord<>(topic, null, "no key".getBytes())).get(); // cannot fill ${key}
            producer.send(new ProducerRecord<>(topic, "d2".getBytes(), "off".getBytes())).get();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> got.size() >= 2);
        assertThat(got).extracting(p -> p.getTopic().toString()).containsExactly("devices/d1/commands",
                "devices/d2/commands");
        assertThat(got.get(0).getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        assertThat(new String(got.get(0).getPayloadAsBytes())).isEqualTo("on");
        assertThat(got.get(0).getUserProperties().asList()).singleElement()
                .satisfies(p -> assertThat(p.getName() + "=" + p.getValue()).hasToString("trace=abc"));
        assertThat(plugin.metrics("f").errors.value()).as("the record without a key").isEqualTo(1);

        // The broker restarts: the committed records are not read again, the new one is.
        broker.close();
        broker = null;
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(topic, "d3".getBytes(), "later".getBytes())).get();
        }
        startBroker(bridge);
        Mqtt5AsyncClient sub2 = client5("sub2");
        List<String> again = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger count = new AtomicInteger();
        sub2.subscribeWith().topicFilter("devices/+/commands").qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
            again.add(p.getTopic().toString());
            count.incrementAndGet();
        }).send().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> count.get() >= 1);
        assertThat(plugin.metrics("f").records.value()).as("only the record after the commit").isEqualTo(1);
        assertThat(again).containsExactly("devices/d3/commands");
    }

    @Test
    void withoutMappingsTheBridgeStartsAndDoesNothing() throws Exception {
        startBroker("{}");
        assertThat(broker.plugins().startedNames()).contains("KafkaBridgePlugin");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("gannet-kafka"));
    }

    @Test
    void aBadTemplateStopsThePluginNamingTheKey() throws Exception {
        Map<String, Object> section = new Yaml().load(toKafka("at-once", "").replace("%KAFKA%", kafka.bootstrap())
                .replace("kafka-topic: \"" + topic + "\"", "kafka-topic: \"${nope}\""));
        GannetConfig config = ConfigLoader.fromMap(Map.of("plugins", Map.of("KafkaBridgePlugin", section)))
                .withListeners(List.of(new ListenerConfig("mqtt", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(new KafkaBridgePlugin()).start();
        assertThat(broker.plugins().refused()).singleElement().satisfies(r -> assertThat(r.reason())
                .contains("plugins.KafkaBridgePlugin.to-kafka[0].kafka-topic").contains("${nope}"));
    }
}
