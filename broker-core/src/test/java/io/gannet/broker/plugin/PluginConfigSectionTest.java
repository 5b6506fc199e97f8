package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.spi.PluginConfig;
import io.gannet.spi.PluginConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Nested plugin configuration (SPI 1.1): sections, lists of sections, and errors that name the full key. */
class PluginConfigSectionTest {
    private static final String YAML = """
            enabled: true
            priority: 5
            clusters:
              local:
                bootstrap-servers: 127.0.0.1:9092
                properties:
                  linger.ms: 5
                  enabled: yes-as-a-kafka-property
            to-kafka:
              - name: telemetry
                mqtt-topics: ["devices/+/telemetry"]
                qos: 1
              - name: broken
                qos: seven
            not-a-map: 3
            not-a-list-of-maps: [a, b]
            """;

    private final PluginConfig config = load();

    private static PluginConfig load() {
        Map<String, Object> section = new Yaml().load(YAML);
        return new PluginConfigSection("kafka", section, Path.of("/opt/gannet"));
    }

    @Test
    void nestedMapsAreSectionsWithTheirOwnKeysInTheOrderWritten() {
        assertThat(config.keys()).as("the broker's own keys are hidden at the top only")
                .containsExactly("clusters", "to-kafka", "not-a-map", "not-a-list-of-maps");
        PluginConfig local = config.section("clusters").section("local");
        assertThat(local.string("bootstrap-servers", null)).isEqualTo("127.0.0.1:9092");
        PluginConfig properties = local.section("properties");
        assertThat(properties.keys()).containsExactly("linger.ms", "enabled");
        assertThat(properties.string("linger.ms", null)).isEqualTo("5");
        assertThat(properties.fullKey("linger.ms")).isEqualTo("plugins.kafka.clusters.local.properties.linger.ms");
    }

    @Test
    void anAbsentSectionIsEmpty() {
        PluginConfig none = config.section("from-kafka");
        assertThat(none.keys()).isEmpty();
        assertThat(none.string("x", "default")).isEqualTo("default");
        assertThat(config.sections("from-kafka")).isEmpty();
    }

    @Test
    void listsOfMapsAreSectionsWhoseErrorsNameTheItem() {
        List<PluginConfig> mappings = config.sections("to-kafka");
        assertThat(mappings).hasSize(2);
        assertThat(mappings.get(0).string("name", null)).isEqualTo("telemetry");
        assertThat(mappings.get(0).strings("mqtt-topics")).containsExactly("devices/+/telemetry");
        assertThat(mappings.get(0).integer("qos", 0, 0, 2)).isEqualTo(1);
        assertThatThrownBy(() -> mappings.get(1).integer("qos", 0, 0, 2))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.to-kafka[1].qos").hasMessageContaining("seven");
        assertThatThrownBy(() -> mappings.get(0).requireOnly(Set.of("name", "qos")))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.to-kafka[0].mqtt-topics");
    }

    @Test
    void aValueOfTheWrongShapeIsNamed() {
        assertThatThrownBy(() -> config.section("not-a-map")).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.not-a-map").hasMessageContaining("a map");
        assertThatThrownBy(() -> config.sections("not-a-map")).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.not-a-map").hasMessageContaining("a list of maps");
        assertThatThrownBy(() -> config.sections("not-a-list-of-maps")).isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.not-a-list-of-maps[0]");
    }
}
