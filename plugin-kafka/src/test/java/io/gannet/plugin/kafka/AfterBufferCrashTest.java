package io.gannet.plugin.kafka;

import static io.gannet.plugin.kafka.KafkaProcess.intValues;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code after-buffer} across a Kafka outage and a SIGKILL of the broker: a real broker process with the plugin
 * installed in {@code plugins/kafka/}, a real Kafka stopped while publishers are acknowledged from the disk buffer,
 * the broker killed, Kafka and the broker started again; every acknowledged message must then be in Kafka.
 */
class AfterBufferCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyMessageAcknowledgedFromTheBufferReachesKafkaAfterAnOutageAndAKill() throws Exception {
        String topic = "crash-" + System.nanoTime() % 100000;
        try (KafkaProcess kafka = new KafkaProcess(dir.resolve("kafka")).start()) {
            kafka.createTopic(topic, 3);
            Path home = Files.createDirectories(dir.resolve("broker"));
            try (ForkedBroker broker = new ForkedBroker(home, """
                    clusters:
                      local:
                        bootstrap-servers: %s
                    to-kafka:
                      - name: t
                        mqtt-topics: ["devices/#"]
                        kafka-topic: %s
                        acknowledge: after-buffer
                    """.formatted(kafka.bootstrap(), topic)).start()) {
                Mqtt5AsyncClient before = client(broker.port(), "before");
                publish(before, 0, 100, new ArrayList<>()).forEach(CompletableFuture::join);
                assertThat(intValues(kafka.readUntil(topic, out -> intValues(out).size() >= 100,
                        Duration.ofSeconds(60)))).as("Kafka is there").hasSize(100);

                // Kafka stops while records are on their way to it, and stays away while the rest are published.
                List<CompletableFuture<Mqtt5PublishResult>> acks = publish(before, 100, 600, new ArrayList<>());
                kafka.stop();
                publish(before, 600, 1100, acks);
                Set<Integer> acknowledged = new TreeSet<>();
                for (int i = 0; i < 100; i++) {
                    acknowledged.add(i);
                }
                for (int i = 0; i < acks.size(); i++) {
                    Mqtt5PublishResult r = acks.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(r.getError()).as("acknowledged from the buffer while Kafka is away").isEmpty();
                    acknowledged.add(100 + i);
                }
                broker.kill();

                kafka.start();
                broker.start();
                // Some may be there twice (sent again from the last saved mark): wait for every value, not a count.
                Set<Integer> inKafka = intValues(kafka.readUntil(topic, out -> intValues(out).containsAll(acknowledged),
                        Duration.ofSeconds(90)));
                assertThat(inKafka).as(() -> "every acknowledged message, after the outage and the kill; the broker's "
                        + "log:" + broker.diagnostics(150)).containsAll(acknowledged);
                assertThat(Files.readString(broker.log())).contains("wait on disk for cluster 'local'");
            }
        }
    }

    private static Mqtt5AsyncClient client(int port, String id) {
        Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(port).buildAsync();
        c.connect().join();
        return c;
    }

    private static List<CompletableFuture<Mqtt5PublishResult>> publish(Mqtt5AsyncClient c, int from, int to,
                                                                        List<CompletableFuture<Mqtt5PublishResult>> out) {
        for (int i = from; i < to; i++) {
            out.add(c.publish(Mqtt5Publish.builder().topic("devices/d" + (i % 5)).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Integer.toString(i).getBytes()).build()));
        }
        return out;
    }
}
