package io.gannet.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.spi.PluginConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicFilterTest {
    @ParameterizedTest
    @CsvSource({
        "devices/+/telemetry, devices/d1/telemetry, true",
        "devices/+/telemetry, devices/d1/status, false",
        "devices/+/telemetry, devices/d1/telemetry/x, false",
        "devices/+/telemetry, devices//telemetry, true",
        "devices/#, devices, true",
        "devices/#, devices/a/b/c, true",
        "devices/#, device, false",
        "#, a/b, true",
        "#, $SYS/broker, false",
        "+/broker, $SYS/broker, false",
        "$SYS/#, $SYS/broker, true",
        "a/b, a/b, true",
        "a/b, a/bc, false",
        "a/b, a, false",
        "a/+, a/, true",
    })
    void matchesAsASubscriptionWould(String filter, String topic, boolean matches) {
        assertThat(TopicFilter.parse(filter, "k").matches(topic)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#/b", "a/b#", "a+/b", "$share/g/a", ""})
    void invalidFiltersAreRefusedNamingTheKey(String filter) {
        assertThatThrownBy(() -> TopicFilter.parse(filter, "plugins.kafka.to-kafka[0].mqtt-topics[0]"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.to-kafka[0].mqtt-topics[0]");
    }
}
