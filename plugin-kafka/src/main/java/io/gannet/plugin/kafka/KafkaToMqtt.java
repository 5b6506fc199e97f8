package io.gannet.plugin.kafka;

import io.gannet.plugin.kafka.BridgeConfig.Cluster;
import io.gannet.plugin.kafka.BridgeConfig.FromKafka;
import io.gannet.spi.publish.PublishMessage;
import io.gannet.spi.services.MessagePublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;

/**
 * Kafka to MQTT for one mapping: a consumer in the mapping's group, on its own thread, that publishes each record
 * into the broker as an MQTT message (topic from the mapping's template, the value as the payload, the headers as
 * user properties) and commits a batch's offsets only once the broker has taken all of its messages: at least once
 * into the broker, across restarts of either side. A record whose template cannot be filled is logged, counted and
 * passed over, never retried forever.
 */
final class KafkaToMqtt implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a batch may wait for the broker to take its messages before it is read again. */
    private static final long PUBLISH_TIMEOUT_SECONDS = 30;

    private final FromKafka mapping;
    private final MessagePublisher publisher;
    private final MappingMetrics metrics;
    private final Logger log;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private long lastErrorLogNanos;

    KafkaToMqtt(FromKafka mapping, Cluster cluster, MessagePublisher publisher, MappingMetrics metrics, Logger log) {
        this.mapping = mapping;
        this.publisher = publisher;
        this.metrics = metrics;
        this.log = log;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gannet-bridge-" + mapping.name());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"); // a new group misses nothing
        props.putAll(cluster.properties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, mapping.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false); // committed once the broker has the messages
        this.consumer = KafkaSender.withPluginClassLoader(() -> new KafkaConsumer<>(props,
                new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        this.thread = new Thread(this::run, "gannet-kafka-from-" + mapping.name());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(mapping.kafkaTopics());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    deliver(records);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Mapping '{}' stopped reading from Kafka", mapping.name(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Publishes a batch, then commits it; if the broker does not take it all, reads it again from the last commit. */
    private void deliver(ConsumerRecords<byte[], byte[]> records) {
        List<CompletableFuture<Integer>> published = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            PublishMessage message;
            try {
                message = message(r);
            } catch (Template.UnfilledException | IllegalArgumentException e) {
                metrics.errors.increment();
                logError("record " + r.topic() + "-" + r.partition() + "@" + r.offset() + " is passed over: "
                        + e.getMessage());
                continue;
            }
            published.add(publisher.publish(message).toCompletableFuture());
            metrics.records.increment();
            metrics.bytes.add(message.payload().length);
        }
        try {
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new))
                    .get(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } catch (Exception e) {
            metrics.errors.increment();
            logError("the broker did not take a batch (" + e + "); it is read again");
            for (TopicPartition tp : next.keySet()) {
                OffsetAndMetadata committed = consumer.committed(java.util.Set.of(tp)).get(tp);
                consumer.seek(tp, committed == null ? 0 : committed.offset());
            }
            return;
        }
        consumer.commitSync(next);
    }

    PublishMessage message(ConsumerRecord<byte[], byte[]> r) {
        String topic = mapping.mqttTopic().fill(v -> switch (v.kind()) {
            case KEY -> r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            case KAFKA_TOPIC -> r.topic();
            case HEADER -> {
                Header h = r.headers().lastHeader(v.name());
                yield h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
            }
            default -> null;
        });
        PublishMessage.Builder b = PublishMessage.builder(topic, r.value() == null ? new byte[0] : r.value())
                .qos(mapping.qos()).retain(mapping.retain());
        for (Header h : r.headers()) {
            if (!h.key().startsWith("mqtt.")) { // the metadata of a record the bridge made from MQTT
                b.userProperty(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return b.build();
    }

    private void logError(String what) {
        long now = System.nanoTime();
        if (now - lastErrorLogNanos > TimeUnit.SECONDS.toNanos(1)) { // a bad template meets every record
            lastErrorLogNanos = now;
            log.warn("Mapping '{}': {} (counted in from-kafka/{}/errors)", mapping.name(), what, mapping.name());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
