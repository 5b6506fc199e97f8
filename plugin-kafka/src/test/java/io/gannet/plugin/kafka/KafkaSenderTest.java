package io.gannet.plugin.kafka;

import static io.gannet.plugin.kafka.KafkaProcess.intValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        MappingMetrics mapping = new MappingMetrics(metrics, "to-kafka", "t");
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
        MappingMetrics mapping = new MappingMetrics(metrics, "to-kafka", "t");
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

    private static BridgeConfig.Cluster cluster() {
        return new BridgeConfig.Cluster("local", kafka.bootstrap(), Map.of());
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
