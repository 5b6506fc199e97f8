package io.gannet.plugin.kafka;

import io.gannet.plugin.kafka.BridgeConfig.FromKafka;
import io.gannet.plugin.kafka.BridgeConfig.ToKafka;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The MQTT-Kafka bridge: {@code plugins.kafka} in {@code gannet.yaml} (see {@code docs/kafka-bridge.md}). Shipped
 * enabled; with no mapping configured it does nothing and says so in one log line.
 */
public final class KafkaBridgePlugin implements Plugin {
    /** Of the buffer's bound, the most records may take while they wait in memory (and at most half of it). */
    static final long MAX_MEMORY_BYTES = 64L << 20;

    private final List<KafkaSender> senders = new ArrayList<>();
    private final List<DiskBuffer> buffers = new ArrayList<>();
    private final List<KafkaToMqtt> consumers = new ArrayList<>();
    private final Map<String, MappingMetrics> metrics = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public void start(PluginContext context) throws java.io.IOException {
        Logger log = context.logger();
        BridgeConfig config = BridgeConfig.read(context.config());
        if (!config.hasMappings()) {
            log.info("Kafka bridge: no mapping configured (plugins.kafka.to-kafka, plugins.kafka.from-kafka); it "
                    + "does nothing");
            return;
        }
        try {
            Map<String, KafkaSender> byCluster = new LinkedHashMap<>();
            Map<String, DiskBuffer> buffersByCluster = new LinkedHashMap<>();
            List<MqttToKafka.Route> routes = new ArrayList<>();
            // buffer.max-bytes bounds memory and disk together: at most half (and 64 MiB) in memory, the rest on disk.
            long memory = Math.min(MAX_MEMORY_BYTES, config.buffer().maxBytes() / 2);
            long disk = config.buffer().maxBytes() - memory;
            for (ToKafka m : config.toKafka()) {
                metrics(context, "to-kafka", m.name());
            }
            for (ToKafka m : config.toKafka()) {
                KafkaSender sender = byCluster.computeIfAbsent(m.cluster(), name -> {
                    KafkaSender s = new KafkaSender(config.clusters().get(name), memory, log);
                    senders.add(s);
                    context.metrics().gauge("clusters/" + name + "/waiting-records", s::waitingRecords);
                    context.metrics().gauge("clusters/" + name + "/waiting-bytes", s::waitingBytes);
                    context.metrics().gauge("clusters/" + name + "/reachable", () -> s.reachable() ? 1 : 0);
                    return s;
                });
                DiskBuffer buffer = buffersByCluster.get(m.cluster());
                if (buffer == null) {
                    buffer = new DiskBuffer(m.cluster(), config.buffer().directory(), sender,
                            name -> metricsOrRemoved(context, name), disk,
                            config.buffer().whenFull(), log);
                    buffers.add(buffer);
                    buffersByCluster.put(m.cluster(), buffer);
                    DiskBuffer b = buffer;
                    context.metrics().gauge("clusters/" + m.cluster() + "/buffered-records", b::backlogRecords);
                    context.metrics().gauge("clusters/" + m.cluster() + "/buffered-bytes", b::backlogBytes);
                }
                routes.add(new MqttToKafka.Route(m, sender, buffer, metrics.get(m.name())));
            }
            if (!routes.isEmpty()) {
                context.registerInboundInterceptor(new MqttToKafka(routes, config.buffer().whenFull(), log));
            }
            for (FromKafka m : config.fromKafka()) {
                consumers.add(new KafkaToMqtt(m, config.clusters().get(m.cluster()), context.publisher(),
                        metrics(context, "from-kafka", m.name()), log));
            }
        } catch (RuntimeException | java.io.IOException e) {
            stop();
            throw e;
        }
        log.info("Kafka bridge: clusters {}; to Kafka {}; from Kafka {}",
                config.clusters().values().stream().map(c -> c.name() + " (" + c.bootstrapServers() + ")")
                        .collect(Collectors.joining(", ")),
                config.toKafka().isEmpty() ? "none" : config.toKafka().stream()
                        .map(m -> m.name() + " " + m.mqttTopics() + " -> " + m.kafkaTopic() + " ("
                                + BridgeConfig.lower(m.acknowledge()) + ")")
                        .collect(Collectors.joining(", ")),
                config.fromKafka().isEmpty() ? "none" : config.fromKafka().stream()
                        .map(m -> m.name() + " " + m.kafkaTopics() + " -> " + m.mqttTopic() + " (QoS " + m.qos() + ")")
                        .collect(Collectors.joining(", ")));
    }

    private MappingMetrics metrics(PluginContext context, String direction, String mapping) {
        MappingMetrics m = new MappingMetrics(context.metrics(), context::messageDropped, direction, mapping);
        metrics.put(mapping, m);
        return m;
    }

    /**
     * The figures of a mapping named in the disk buffer, which may hold records of a mapping since removed from the
     * configuration: those are counted together.
     */
    private MappingMetrics metricsOrRemoved(PluginContext context, String mapping) {
        MappingMetrics m = metrics.get(mapping);
        return m != null ? m : metrics.computeIfAbsent("removed-mappings",
                name -> new MappingMetrics(context.metrics(), context::messageDropped, "to-kafka", name));
    }

    /** A mapping's figures, by its name; for tests. */
    MappingMetrics metrics(String mapping) {
        return metrics.get(mapping);
    }

    @Override
    public void stop() {
        for (KafkaToMqtt c : consumers) {
            c.close();
        }
        consumers.clear();
        // The senders first: what they flush is acknowledged, and the buffers then record how far that reached.
        for (KafkaSender s : senders) {
            s.close();
        }
        senders.clear();
        for (DiskBuffer b : buffers) {
            b.close();
        }
        buffers.clear();
    }
}
