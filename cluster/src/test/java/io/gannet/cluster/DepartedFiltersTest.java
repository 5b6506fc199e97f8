package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The departures a node remembers: a message routed by routes older than a persistent session's subscription leaving
 * a matching filter may have been meant for it; one routed by routes as new or newer, or to a topic no departure
 * matches, was not.
 */
class DepartedFiltersTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final DepartedFilters departed = new DepartedFilters(now::get);
    private final DepartedFilters.Probe probe = departed.probe();

    @Test
    void aMessageRoutedBeforeASubscriptionLeftItsFilterMayHaveBeenMeantForIt() {
        assertThat(probe.leftSince("move/m", 0)).isFalse();
        departed.left("move/#", 10);
        assertThat(probe.leftSince("move/m", 9)).as("routed before the departure").isTrue();
        assertThat(probe.leftSince("move/m", 10)).as("routed by routes that knew of it").isFalse();
        assertThat(probe.leftSince("move/m", 11)).isFalse();
        assertThat(probe.leftSince("other/m", 9)).as("a topic the filter does not match").isFalse();
        assertThat(probe.leftSince("$SYS/move", 9)).as("[MQTT-4.7.2-1]").isFalse();
    }

    @Test
    void aFilterRemembersItsLatestDepartureAndEachFilterItsOwn() {
        departed.left("move/+", 10);
        departed.left("move/+", 30);
        departed.left("move/+", 20); // noted later, at an older index: the newer one stays
        departed.left("+/m", 5);
        assertThat(probe.leftSince("move/m", 29)).isTrue();
        assertThat(probe.leftSince("move/m", 30)).isFalse();
        assertThat(probe.leftSince("away/m", 4)).isTrue();
        assertThat(probe.leftSince("away/m", 5)).isFalse();
    }

    @Test
    void aDepartureIsForgottenOnceItIsOlderThanTheKeepTimeWhenAnotherIsNoted() {
        departed.left("old/#", 10);
        now.addAndGet(DepartedFilters.KEEP_MILLIS / 2);
        departed.left("renewed/#", 10);
        now.addAndGet(DepartedFilters.KEEP_MILLIS / 2 + 1);
        assertThat(probe.leftSince("old/x", 9)).as("aged, but nothing was noted since").isTrue();
        departed.left("renewed/#", 12);
        assertThat(probe.leftSince("old/x", 9)).isFalse();
        assertThat(probe.leftSince("renewed/x", 11)).as("its latest departure is kept").isTrue();
        now.addAndGet(DepartedFilters.KEEP_MILLIS + 1);
        departed.left("new/#", 15);
        assertThat(probe.leftSince("renewed/x", 11)).isFalse();
        assertThat(probe.leftSince("new/x", 14)).isTrue();
    }
}
