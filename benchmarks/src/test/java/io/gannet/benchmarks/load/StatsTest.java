package io.gannet.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What counts is what was sent inside the window: its start inclusive, its end exclusive. */
class StatsTest {

    @Test
    void countsAndTimesOnlyMessagesSentInsideTheWindow() {
        Stats stats = new Stats();
        stats.window(1_000_000, 2_000_000);
        long[] sentAt = {0, 999_999, 1_000_000, 1_500_000, 1_999_999, 2_000_000, 3_000_000};
        for (long t : sentAt) {
            stats.sent(t);
            stats.received(t, t + 250_000); // 250 µs each
        }
        stats.received(-5_000_000, 1_500_000); // sent long before the window, arrives inside it: not counted

        assertThat(stats.sentAll()).isEqualTo(7);
        assertThat(stats.receivedAll()).isEqualTo(8);
        assertThat(stats.sentInWindow()).isEqualTo(3);
        assertThat(stats.receivedInWindow()).isEqualTo(3);
        Histogram total = stats.total();
        assertThat(total.getTotalCount()).isEqualTo(3);
        assertThat(total.getMaxValue()).isEqualTo(250);
    }

    @Test
    void theProgressLineAlsoShowsWarmUpLatenciesButTheTotalDoesNot() {
        Stats stats = new Stats();
        stats.window(10_000_000, 20_000_000);
        stats.received(1_000_000, 9_000_000); // warm-up: 8 ms
        stats.received(11_000_000, 11_100_000); // measured: 100 µs

        Histogram interval = stats.interval();
        assertThat(interval.getTotalCount()).isEqualTo(2);
        assertThat(interval.getMaxValue()).isBetween(7_990L, 8_010L);
        Histogram total = stats.total();
        assertThat(total.getTotalCount()).isEqualTo(1);
        assertThat(total.getMaxValue()).isEqualTo(100);
    }
}
