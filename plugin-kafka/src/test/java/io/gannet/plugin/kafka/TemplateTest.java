package io.gannet.plugin.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.spi.PluginConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateTest {
    private static String fill(Template t, Map<String, String> values) {
        return t.fill(v -> values.get(switch (v.kind()) {
            case TOPIC_LEVEL -> "topic[" + v.level() + "]";
            case USER_PROPERTY -> "user-property:" + v.name();
            case HEADER -> "header:" + v.name();
            default -> v.kind().name();
        }));
    }

    @Test
    void variablesAreFilledBetweenTheLiterals() {
        Template t = Template.parse("site-${topic[1]}.${user-property:region}-x", Template.TO_KAFKA, "k");
        assertThat(fill(t, Map.of("topic[1]", "d7", "user-property:region", "eu"))).isEqualTo("site-d7.eu-x");
        assertThat(Template.parse("plain", Template.TO_KAFKA, "k").isConstant()).isTrue();
        assertThat(fill(Template.parse("${topic}", Template.TO_KAFKA, "k"), Map.of("TOPIC", "a/b"))).isEqualTo("a/b");
    }

    @Test
    void aMissingValueIsReportedNotFilledWithNull() {
        Template t = Template.parse("devices/${key}/commands", Template.FROM_KAFKA, "k");
        assertThatThrownBy(() -> fill(t, Map.of())).isInstanceOf(Template.UnfilledException.class)
                .hasMessageContaining("key");
        Template level = Template.parse("${topic[5]}", Template.TO_KAFKA, "k");
        assertThatThrownBy(() -> fill(level, Map.of())).hasMessageContaining("topic level 5");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "${nope}|unknown variable ${nope}",
        "${key}|cannot be used here",
        "${header:x}|cannot be used here",
        "${topic[x]}|unknown variable",
        "${user-property:}|unknown variable",
        "a-${topic|not closed",
    })
    void badTemplatesStopTheStartNamingTheKey(String text, String message) {
        assertThatThrownBy(() -> Template.parse(text, Template.TO_KAFKA, "plugins.kafka.to-kafka[0].kafka-topic"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("plugins.kafka.to-kafka[0].kafka-topic").hasMessageContaining(message);
    }

    @Test
    void topicLevelsCountFromZero() {
        assertThat(MqttToKafka.level("a/b/c", 0)).isEqualTo("a");
        assertThat(MqttToKafka.level("a/b/c", 2)).isEqualTo("c");
        assertThat(MqttToKafka.level("a/b/c", 3)).isNull();
        assertThat(MqttToKafka.level("a//c", 1)).isEmpty();
    }
}
