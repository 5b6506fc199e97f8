package io.gannet.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.plugin.TestPluginConfigs;
import io.gannet.spi.PluginConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The bridge's configuration as a user writes it in gannet.yaml: what it reads, and what it refuses. */
class BridgeConfigTest {
    private static final String EXAMPLE = """
            clusters:
              local:
                bootstrap-servers: 127.0.0.1:9092
                properties:
                  linger.ms: 10
            to-kafka:
              - name: telemetry
                cluster: local
                mqtt-topics: ["devices/+/telemetry"]
                kafka-topic: "telemetry"
                key: "${topic}"
                acknowledge: after-kafka
            from-kafka:
              - name: commands
                cluster: local
                kafka-topics: ["commands"]
                group-id: gannet-commands
                mqtt-topic: "devices/${key}/commands"
                qos: 1
                retain: false
            buffer:
              directory: data/kafka-buffer
              max-bytes: 1073741824
              when-full: refuse
            """;

    private static BridgeConfig read(String yaml) {
        Map<String, Object> values = yaml.isBlank() ? Map.of() : new Yaml().load(yaml);
        return BridgeConfig.read(TestPluginConfigs.of("kafka", values, Path.of("/opt/gannet")));
    }

    @Test
    void theDocumentedExampleReads() {
        BridgeConfig c = read(EXAMPLE);
        assertThat(c.clusters()).containsOnlyKeys("local");
        assertThat(c.clusters().get("local").properties()).containsEntry("linger.ms", "10");
        assertThat(c.toKafka()).singleElement().satisfies(m -> {
            assertThat(m.matches("devices/d1/telemetry")).isTrue();
            assertThat(m.kafkaTopic().toString()).isEqualTo("telemetry");
            assertThat(m.acknowledge()).isEqualTo(BridgeConfig.Acknowledge.AFTER_KAFKA);
        });
        assertThat(c.fromKafka()).singleElement().satisfies(m -> {
            assertThat(m.groupId()).isEqualTo("gannet-commands");
            assertThat(m.qos()).isEqualTo(1);
        });
        assertThat(c.buffer().directory()).isEqualTo(Path.of("/opt/gannet/data/kafka-buffer"));
        assertThat(c.buffer().whenFull()).isEqualTo(BridgeConfig.WhenFull.REFUSE);
    }

    @Test
    void noMappingsIsValidAndDoesNothing() {
        BridgeConfig c = read("");
        assertThat(c.hasMappings()).isFalse();
        assertThat(c.buffer().maxBytes()).isEqualTo(1L << 30);
    }

    @Test
    void defaultsFillWhatIsLeftOut() {
        BridgeConfig c = read("""
                clusters: {only: {bootstrap-servers: "k:9092"}}
                to-kafka: [{name: t, mqtt-topics: ["#"], kafka-topic: all}]
                from-kafka: [{name: f, kafka-topics: [c], mqtt-topic: "c/${key}"}]
                """);
        assertThat(c.toKafka().get(0).cluster()).as("the only cluster").isEqualTo("only");
        assertThat(c.toKafka().get(0).key().toString()).isEqualTo("${topic}");
        assertThat(c.toKafka().get(0).acknowledge()).isEqualTo(BridgeConfig.Acknowledge.AFTER_KAFKA);
        assertThat(c.fromKafka().get(0).groupId()).isEqualTo("gannet-f");
        assertThat(c.fromKafka().get(0).qos()).isEqualTo(1);
    }

    @Test
    void eachMistakeIsNamedByItsFullKey() {
        String cluster = "clusters: {local: {bootstrap-servers: \"k:9092\"}, other: {bootstrap-servers: \"o:9092\"}}\n";
        String[][] cases = {
            {cluster + "to-kafka: [{name: t, cluster: nope, mqtt-topics: [a], kafka-topic: x}]",
                "plugins.kafka.to-kafka[0].cluster", "'nope' is not one of the clusters"},
            {cluster + "to-kafka: [{name: t, mqtt-topics: [a], kafka-topic: x}]",
                "plugins.kafka.to-kafka[0].cluster", "required"},
            {cluster + "to-kafka: [{name: t, cluster: local, mqtt-topics: [a], kafka-topic: 'a/b'}]",
                "plugins.kafka.to-kafka[0].kafka-topic", "not a valid Kafka topic name"},
            {cluster + "to-kafka: [{name: t, cluster: local, mqtt-topics: [a], kafka-topic: '${key}'}]",
                "plugins.kafka.to-kafka[0].kafka-topic", "cannot be used here"},
            {cluster + "to-kafka: [{name: t, cluster: local, mqtt-topics: ['a/#/b'], kafka-topic: x}]",
                "plugins.kafka.to-kafka[0].mqtt-topics[0]", "'#' must be"},
            {cluster + "to-kafka: [{name: t, cluster: local, mqtt-topics: [a], kafka-topic: x, acknowledge: never}]",
                "plugins.kafka.to-kafka[0].acknowledge", "at-once, after-buffer, after-kafka"},
            {cluster + "to-kafka: [{name: t, cluster: local, mqtt-topics: [a], kafka-topic: x, keey: y}]",
                "plugins.kafka.to-kafka[0].keey", "unknown configuration key"},
            {cluster + "to-kafka: [{name: T!, cluster: local, mqtt-topics: [a], kafka-topic: x}]",
                "plugins.kafka.to-kafka[0].name", "lower case"},
            {cluster + "to-kafka: [{name: t, cluster: local, mqtt-topics: [a], kafka-topic: x},"
                + " {name: t, cluster: local, mqtt-topics: [b], kafka-topic: y}]",
                "plugins.kafka.to-kafka[1].name", "already called 't'"},
            {cluster + "from-kafka: [{name: f, cluster: local, kafka-topics: [c], mqtt-topic: 'c/+'}]",
                "plugins.kafka.from-kafka[0].mqtt-topic", "wildcard"},
            {cluster + "from-kafka: [{name: f, cluster: local, kafka-topics: [c], mqtt-topic: 'c/${topic}'}]",
                "plugins.kafka.from-kafka[0].mqtt-topic", "cannot be used here"},
            {cluster + "from-kafka: [{name: f, cluster: local, kafka-topics: [c], mqtt-topic: c, qos: 3}]",
                "plugins.kafka.from-kafka[0].qos", "from 0 to 2"},
            {"clusters: {local: {properties: {}}}", "plugins.kafka.clusters.local.bootstrap-servers", "required"},
            {"clusters: {local: {bootstrap-servers: k, properties: {value.serializer: x}}}",
                "plugins.kafka.clusters.local.properties.value.serializer", "serializers"},
            {"buffer: {when-full: wait}", "plugins.kafka.buffer.when-full", "refuse, drop-oldest"},
            {"buffer: {max-bytes: 5}", "plugins.kafka.buffer.max-bytes", "an integer from"},
            {"to-kafka: {name: t}", "plugins.kafka.to-kafka", "a list of maps"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> read(c[0])).as(c[0]).isInstanceOf(PluginConfigException.class)
                    .hasMessageContaining(c[1]).hasMessageContaining(c[2]);
        }
    }
}
