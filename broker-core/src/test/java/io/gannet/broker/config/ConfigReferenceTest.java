package io.gannet.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code conf/gannet.yaml} and {@code docs/configuration.md} are exactly what {@link ConfigSchema}
 * renders, and the shipped YAML loads to the defaults. To update both after changing a key, run with
 * {@code -Dgannet.regenerate=true}.
 */
class ConfigReferenceTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path YAML = ROOT.resolve("dist/src/main/conf/gannet.yaml");
    private static final Path DOC = ROOT.resolve("docs/configuration.md");

    @Test
    void shippedFilesMatchTheSchema() throws IOException {
        if (Boolean.getBoolean("gannet.regenerate")) {
            Files.writeString(YAML, ConfigReference.yaml());
            Files.writeString(DOC, ConfigReference.markdown());
        }
        assertThat(Files.readString(YAML)).as("%s is out of date; run with -Dgannet.regenerate=true", YAML)
                .isEqualTo(ConfigReference.yaml());
        assertThat(Files.readString(DOC)).as("%s is out of date; run with -Dgannet.regenerate=true", DOC)
                .isEqualTo(ConfigReference.markdown());
    }

    @Test
    void shippedYamlLoadsToTheDefaultsPlusTheDistributionListenersAndPlugins() {
        GannetConfig shipped = ConfigLoader.load(YAML);
        GannetConfig defaults = GannetConfig.defaults();
        assertThat(shipped.listeners()).isEqualTo(ConfigSchema.DISTRIBUTION_LISTENERS);
        assertThat(shipped.mqtt()).isEqualTo(defaults.mqtt());
        assertThat(shipped.sessions()).isEqualTo(defaults.sessions());
        assertThat(shipped.network()).isEqualTo(defaults.network());
        assertThat(shipped.sysIntervalSeconds()).isEqualTo(defaults.sysIntervalSeconds());
        assertThat(shipped.plugins().directory()).isEqualTo(defaults.plugins().directory());
        assertThat(shipped.plugins().sections()).containsOnlyKeys("auth", "tls");
    }

    @Test
    void listenerPortsAreWrittenLiterally() throws IOException {
        String yaml = Files.readString(YAML);
        assertThat(yaml).contains("port: 1883").contains("port: 8883");
    }
}
