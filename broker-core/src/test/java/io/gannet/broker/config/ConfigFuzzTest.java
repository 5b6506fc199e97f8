package io.gannet.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * The configuration loader on any text: it returns a configuration or throws a {@link ConfigException} whose
 * message names what is wrong; never another exception (a class cast, a number format, a stack overflow). Seeds:
 * the shipped {@code conf/gannet.yaml} and a few hand-written files in {@code ConfigFuzzTestInputs/yaml}.
 */
class ConfigFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void yaml(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            GannetConfig config = ConfigLoader.parse(new StringReader(text), "the fuzzed configuration");
            assertThat(config.listeners()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
