package io.gannet.plugin.kafka;

import static io.gannet.plugin.kafka.KafkaProcess.intValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.ProtocolVersion;
import io.gannet.spi.publish.InboundDecision;
import io.gannet.spi.publish.PublishMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What the sender does when Kafka fails a record, against a real Kafka: a record Kafka refuses for itself is given
 * up and counted; a producer that fails for a reason of its own (the idempotent producer's fatal state, injected
 * here around a real producer because a real broker cannot be made to cause it on demand) is replaced, and every
 * record it had not had an answer for is sent again, none given up.
 */
class KafkaSenderTest {
    @TempDir
    static Path kafkaDir;
    @TempDir
    Path bufferDir;
    private static KafkaProcess kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = new KafkaProcess(kafkaDir).start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @Test
    void aProducerThatFailsIsReplacedAndItsUnansweredRecordsAreSentAgain() throws Exception {
        String topic = "resend-" + System.nanoTime() % 100000;
        kafka.createTopic(topic, 3);
        TestMetrics metrics = new TestMetrics();
        MappingMetrics mapping = new MappingMetrics(metrics, (client, on, qos, reason) -> { }, "to-kafka", "t");
        // The first producer fails record 300 once Kafka has answered it (on its own thread), then refuses every
        // send, as an idempotent producer in a fatal state does; the one after it works.
        List<FailingProducer> made = new java.util.concurrent.CopyOnWriteArrayList<>();
        KafkaSender sender = new KafkaSender(cluster(), 64L << 20, LoggerFactory.getLogger("test"), props -> {
            FailingProducer p = new FailingProducer(props, made.isEmpty() ? 300 : -1);
            made.add(p);
            return p;
        });
        try {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                sent.add(f);
                sender.add(new OutRecord(new ProducerRecord<>(topic, ("k" + i % 7).getBytes(StandardCharsets.UTF_8),
                        Integer.toString(i).getBytes(StandardCharsets.UTF_8)), f, mapping, System.nanoTime()));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(made.get(0).injected).as("the failure was injected").isTrue();
            assertThat(sender.producerRestarts()).isEqualTo(1);
            assertThat(metrics.value("to-kafka/t/errors")).isZero();
            assertThat(sender.waitingRecords()).isZero();
            // Those in flight when the producer was closed may be there twice: at least once, none missing.
            List<ConsumerRecord<byte[], byte[]>> records = kafka.readUntil(topic, out -> intValues(out).size() >= 1000,
                    Duration.ofSeconds(30));
            assertThat(intValues(records)).hasSize(1000).first().isEqualTo(0);
            assertThat(intValues(records)).last().isEqualTo(999);
        } finally {
            sender.close();
        }
    }

    @Test
    void aRecordKafkaRefusesForItselfIsGivenUpCountedAndDoesNotHoldBackTheOthers() throws Exception {
        String topic = "refused-" + System.nanoTime() % 100000;
        kafka.createTopic(topic, 1);
        TestMetrics metrics = new TestMetrics();
        MappingMetrics mapping = new MappingMetrics(metrics, (client, on, qos, reason) -> { }, "to-kafka", "t");
        // A record larger than the producer's max.request.size: the producer refuses it before Kafka sees it. (A
        // topic's max.message.bytes below batch.size would instead make Kafka's producer split the batch for ever;
        // docs/kafka-bridge.md says to keep max.request.size at or under the topics' limit.)
        BridgeConfig.Cluster small = new BridgeConfig.Cluster("local", kafka.bootstrap(),
                Map.of("max.request.size", "20000"));
        try (KafkaSender sender = new KafkaSender(small, 64L << 20, LoggerFactory.getLogger("test"))) {
            CompletableFuture<Void> first = new CompletableFuture<>();
            CompletableFuture<Void> large = new CompletableFuture<>();
            CompletableFuture<Void> after = new CompletableFuture<>();
            sender.add(new OutRecord(new ProducerRecord<>(topic, null, "first".getBytes(StandardCharsets.UTF_8)),
                    first, mapping, System.nanoTime()));
            sender.add(new OutRecord(new ProducerRecord<>(topic, null, new byte[30_000]), large, mapping,
                    System.nanoTime()));
            sender.add(new OutRecord(new ProducerRecord<>(topic, null, "after".getBytes(StandardCharsets.UTF_8)),
                    after, mapping, System.nanoTime()));

            first.get(30, TimeUnit.SECONDS);
            after.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> large.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            assertThat(metrics.value("to-kafka/t/errors")).isEqualTo(1);
            assertThat(sender.producerRestarts()).isZero();
            assertThat(kafka.readAll(topic, 2, Duration.ofSeconds(30))).extracting(r -> new String(r.value(),
                    StandardCharsets.UTF_8)).containsExactly("first", "after");
        }
    }

    /**
     * An {@code at-once} record that finds memory full while Kafka answers, only slowly, holds its publisher's
     * acknowledgement until Kafka has it, rather than going to the disk buffer; once Kafka stalls (no answer for
     * two seconds), what was held is acknowledged and waits in memory, and later records go to disk. Kafka's
     * answers are held back around a real producer, so "slow" and "stalled" are exact.
     */
    @Test
    void anAtOnceRecordBeyondMemoryWaitsForASlowKafkaButNotForAStalledOne() throws Exception {
        String topic = "held-" + System.nanoTime() % 100000;
        kafka.createTopic(topic, 1);
        TestMetrics metrics = new TestMetrics();
        MappingMetrics mapping = new MappingMetrics(metrics, (client, on, qos, reason) -> { }, "to-kafka", "t");
        BridgeConfig.ToKafka toKafka = new BridgeConfig.ToKafka("t", "local",
                List.of(TopicFilter.parse("devices/#", "test")), Template.parse(topic, Template.TO_KAFKA, "test"),
                Template.parse("${topic}", Template.TO_KAFKA, "test"), BridgeConfig.Acknowledge.AT_ONCE);
        long recordBytes = new OutRecord(MqttToKafka.record(toKafka, PUBLISHER, message(0), 0), null, mapping, 0)
                .bytes();
        GatedProducer[] producer = new GatedProducer[1];
        // Memory for four records (and as many again held beyond them): the fifth finds it full.
        KafkaSender sender = new KafkaSender(cluster(), 4 * recordBytes, LoggerFactory.getLogger("test"),
                props -> producer[0] = new GatedProducer(props));
        DiskBuffer buffer = new DiskBuffer("local", bufferDir, sender, name -> mapping, 1L << 30,
                DiskBuffer.MAX_UNWRITTEN_BYTES, BridgeConfig.WhenFull.REFUSE, LoggerFactory.getLogger("test"));
        MqttToKafka bridge = new MqttToKafka(List.of(new MqttToKafka.Route(toKafka, sender, buffer, mapping)),
                BridgeConfig.WhenFull.REFUSE, LoggerFactory.getLogger("test"));
        try {
            // Slow: the first four are acknowledged at once, the fifth when Kafka has it.
            for (int i = 0; i < 4; i++) {
                assertThat(acknowledgement(bridge, i)).isEmpty();
            }
            CompletableFuture<?> fifth = acknowledgement(bridge, 4).orElseThrow();
            assertThat(fifth).as("Kafka has not answered").isNotDone();
            assertThat(metrics.value("to-kafka/t/held")).isEqualTo(1);
            assertThat(buffer.isEmpty()).isTrue();
            producer[0].open();
            fifth.get(30, TimeUnit.SECONDS);
            assertThat(metrics.value("to-kafka/t/records")).isEqualTo(5);

            // Stalled: Kafka takes the records but does not answer. The held one is acknowledged after two
            // seconds, and the next one, memory still full, goes to the disk buffer.
            producer[0].holdAnswers();
            for (int i = 5; i < 9; i++) {
                assertThat(acknowledgement(bridge, i)).isEmpty();
            }
            acknowledgement(bridge, 9).orElseThrow().get(30, TimeUnit.SECONDS);
            assertThat(metrics.value("to-kafka/t/records")).as("released, not answered").isEqualTo(5);
            assertThat(acknowledgement(bridge, 10)).isEmpty();
            assertThat(buffer.isEmpty()).isFalse();
            assertThat(metrics.value("to-kafka/t/held")).isEqualTo(2);

            producer[0].open();
            assertThat(kafka.readAll(topic, 11, Duration.ofSeconds(30))).extracting(r -> new String(r.value(),
                    StandardCharsets.UTF_8)).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 11)
                    .mapToObj(Integer::toString).toList());
        } finally {
            buffer.close();
            sender.close();
        }
    }

    private static final ClientInfo PUBLISHER = new ClientInfo("device-1", Optional.empty(), "mqtt",
            new InetSocketAddress("127.0.0.1", 40000), ProtocolVersion.MQTT_5);

    private static PublishMessage message(int i) {
        return PublishMessage.builder("devices/1/telemetry", Integer.toString(i).getBytes(StandardCharsets.UTF_8))
                .qos(1).build();
    }

    /** What the publisher's acknowledgement of message {@code i} waits for; empty when it is sent at once. */
    private static Optional<CompletableFuture<?>> acknowledgement(MqttToKafka bridge, int i) throws Exception {
        InboundDecision d = bridge.onInboundPublish(PUBLISHER, message(i)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(d.isDrop()).isFalse();
        return d.acknowledgeWhen().map(stage -> stage.toCompletableFuture());
    }

    private static BridgeConfig.Cluster cluster() {
        return new BridgeConfig.Cluster("local", kafka.bootstrap(), Map.of());
    }

    /** A real producer whose answers are held back while it is closed: Kafka has the records, the bridge waits. */
    private static final class GatedProducer extends KafkaProducer<byte[], byte[]> {
        private final List<Runnable> heldAnswers = new ArrayList<>();
        private boolean open;

        GatedProducer(Map<String, Object> props) {
            super(props, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            return super.send(record, (metadata, error) -> answer(() -> callback.onCompletion(metadata, error)));
        }

        private void answer(Runnable answer) {
            synchronized (this) {
                if (!open) {
                    heldAnswers.add(answer);
                    return;
                }
            }
            answer.run();
        }

        /** Gives the answers held back, and every later one as it comes. */
        void open() {
            List<Runnable> answers;
            synchronized (this) {
                open = true;
                answers = new ArrayList<>(heldAnswers);
                heldAnswers.clear();
            }
            answers.forEach(Runnable::run);
        }

        /** Holds back the answers from now on. */
        synchronized void holdAnswers() {
            open = false;
        }
    }

    /** A real producer with one injected failure: Kafka's answer for record {@code failAt} turned into an error. */
    private static final class FailingProducer extends KafkaProducer<byte[], byte[]> {
        private final int failAt;
        private int count;
        private volatile boolean failed;
        volatile boolean injected;

        FailingProducer(Map<String, Object> props, int failAt) {
            super(props, new ByteArraySerializer(), new ByteArraySerializer());
            this.failAt = failAt;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (failed) {
                throw new KafkaException("Cannot perform send because at least one previous idempotent request has "
                        + "failed with errors (injected)");
            }
            if (count++ != failAt) {
                return super.send(record, callback);
            }
            return super.send(record, (metadata, error) -> {
                failed = true;
                injected = true;
                callback.onCompletion(null, new KafkaException("the batch failed (injected)"));
            });
        }
    }
}
