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
    void shippedYamlLoadsToTheDefaults() {
        assertThat(ConfigLoader.load(YAML)).isEqualTo(GannetConfig.defaults());
    }

    @Test
    void listenerPortsAreWrittenLiterally() throws IOException {
        String yaml = Files.readString(YAML);
        assertThat(yaml).contains("port: 1883").contains("8883");
    }
}
