package io.gannet.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {
    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "/", "//", "/#", "sport/tennis/+", "$SYS/#", "a b"})
    void validFilters(String filter) {
        assertThat(Topics.isValidFilter(filter)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a+", "+a", "a/b#", "##", "#/", "a/++", "sport+"})
    void invalidFilters(String filter) {
        assertThat(Topics.isValidFilter(filter)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "/", "a/b", "$SYS/x", " ", "é/中"})
    void validNames(String name) {
        assertThat(Topics.isValidName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/+", "#", "a/#", "+"})
    void invalidNames(String name) {
        assertThat(Topics.isValidName(name)).isFalse();
    }
}
