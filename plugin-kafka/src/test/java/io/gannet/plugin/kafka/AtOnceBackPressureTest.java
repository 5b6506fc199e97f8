package io.gannet.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.plugin.kafka.BridgeConfig.Acknowledge;
import io.gannet.plugin.kafka.BridgeConfig.ToKafka;
import io.gannet.plugin.kafka.BridgeConfig.WhenFull;
import io.gannet.spi.ClientInfo;
import io.gannet.spi.ProtocolVersion;
import io.gannet.spi.publish.InboundDecision;
import io.gannet.spi.publish.PublishMessage;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@code at-once} mapping whose records go to the disk buffer (Kafka away, memory full) while the buffer's
 * writer is behind: a QoS 1 acknowledgement waits until its record is written, and a QoS 0 record is left out and
 * counted, so that records cannot pile up in the heap faster than they reach the disk. The real sender and disk
 * buffer, with Kafka at an address where nothing listens; "behind" is forced with a bound of zero.
 */
class AtOnceBackPressureTest {
    private static final Logger log = LoggerFactory.getLogger(AtOnceBackPressureTest.class);
    private static final ClientInfo PUBLISHER = new ClientInfo("device-1", Optional.empty(), "mqtt",
            new InetSocketAddress("127.0.0.1", 40000), ProtocolVersion.MQTT_5);

    @TempDir
    Path dir;
    private KafkaSender sender;
    private DiskBuffer buffer;

    @AfterEach
    void close() {
        if (buffer != null) {
            buffer.close();
        }
        if (sender != null) {
            sender.close();
        }
    }

    @Test
    void behindItHoldsQos1AcknowledgementsUntilWrittenAndLeavesQos0RecordsOut() throws Exception {
        TestMetrics metrics = new TestMetrics();
        MqttToKafka bridge = bridge(metrics, 0);

        InboundDecision qos1 = publish(bridge, 1, "one").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(qos1.isDrop()).isFalse();
        assertThat(qos1.acknowledgeWhen()).as("a QoS 1 acknowledgement waits for the write").isPresent();
        qos1.acknowledgeWhen().get().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(buffer.backlogRecords()).isEqualTo(1);

        InboundDecision qos0 = publish(bridge, 0, "zero").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(qos0.isDrop()).as("MQTT subscribers still get it").isFalse();
        assertThat(qos0.acknowledgeWhen()).isEmpty();
        assertThat(buffer.backlogRecords()).as("the QoS 0 record is not bridged").isEqualTo(1);
        assertThat(metrics.value("to-kafka/t/dropped")).isEqualTo(1);
        assertThat(metrics.value("to-kafka/t/accepted")).isEqualTo(1);
    }

    @Test
    void notBehindItAcknowledgesAtOnceAndKeepsEveryRecord() throws Exception {
        TestMetrics metrics = new TestMetrics();
        MqttToKafka bridge = bridge(metrics, DiskBuffer.MAX_UNWRITTEN_BYTES);
        for (int qos = 0; qos <= 1; qos++) {
            InboundDecision d = publish(bridge, qos, "m" + qos).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(d.isDrop()).isFalse();
            assertThat(d.acknowledgeWhen()).isEmpty();
        }
        assertThat(buffer.backlogRecords()).isEqualTo(2);
        assertThat(metrics.value("to-kafka/t/dropped")).isZero();
        // Written, the records no longer count as waiting in memory.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (buffer.isBehind() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(buffer.isBehind()).isFalse();
    }

    /** A bridge whose records all go to disk: one byte of memory, and a Kafka that does not answer. */
    private MqttToKafka bridge(TestMetrics metrics, long maxUnwrittenBytes) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        BridgeConfig.Cluster cluster = new BridgeConfig.Cluster("local", "127.0.0.1:" + closedPort, Map.of());
        sender = new KafkaSender(cluster, 1, log);
        MappingMetrics mapping = new MappingMetrics(metrics, (client, on, qos, reason) -> { }, "to-kafka", "t");
        buffer = new DiskBuffer("local", dir, sender, name -> mapping, 1L << 30, maxUnwrittenBytes,
                WhenFull.REFUSE, log);
        ToKafka toKafka = new ToKafka("t", "local", List.of(TopicFilter.parse("devices/#", "test")),
                Template.parse("telemetry", Template.TO_KAFKA, "test"),
                Template.parse("${topic}", Template.TO_KAFKA, "test"), Acknowledge.AT_ONCE);
        return new MqttToKafka(List.of(new MqttToKafka.Route(toKafka, sender, buffer, mapping)), WhenFull.REFUSE,
                log);
    }

    private static java.util.concurrent.CompletionStage<InboundDecision> publish(MqttToKafka bridge, int qos,
                                                                                 String payload) {
        PublishMessage m = PublishMessage.builder("devices/1/telemetry", payload.getBytes(StandardCharsets.UTF_8))
                .qos(qos).build();
        return bridge.onInboundPublish(PUBLISHER, m);
    }
}
