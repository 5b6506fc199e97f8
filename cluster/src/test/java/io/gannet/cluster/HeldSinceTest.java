package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which takeovers a lagging copy of a partition applies too late to act on. */
class HeldSinceTest {
    private final HeldSince held = new HeldSince(2);

    @Test
    void aTakeoverFromBeforeThisNodeTookTheSessionBackIsStaleAndOneAfterItIsNot() {
        held.held(0, "c", 11, 5); // the leader answered at index 11, this copy has applied up to 5
        assertThat(held.stale(0, "c", 10)).isTrue();
        assertThat(held.stale(0, "c", 11)).isTrue();
        assertThat(held.stale(0, "c", 12)).isFalse();
        assertThat(held.stale(0, "other", 10)).isFalse();
        assertThat(held.stale(1, "c", 10)).as("another partition").isFalse();
    }

    @Test
    void noMarkIsNeededWhenThisCopyHasAlreadyAppliedThatFar() {
        held.held(0, "c", 11, 11);
        assertThat(held.size()).isZero();
        assertThat(held.stale(0, "c", 12)).isFalse();
    }

    @Test
    void marksGoOnceThisCopyHasAppliedPastThem() {
        held.held(0, "a", 11, 5);
        held.held(0, "b", 13, 5);
        held.applied(0, 10);
        assertThat(held.size()).isEqualTo(2);
        held.applied(0, 11);
        assertThat(held.stale(0, "a", 9)).isFalse();
        assertThat(held.stale(0, "b", 12)).isTrue();
        held.applied(1, 20);
        assertThat(held.size()).as("another partition's progress").isEqualTo(1);
        held.applied(0, 13);
        assertThat(held.size()).isZero();
    }

    @Test
    void aLaterHoldOfTheSameSessionKeepsTheHigherMarkUntilItIsApplied() {
        held.held(0, "c", 11, 5);
        held.held(0, "c", 15, 5);
        held.applied(0, 11);
        assertThat(held.stale(0, "c", 14)).isTrue();
        held.applied(0, 15);
        assertThat(held.size()).isZero();
    }

    @Test
    void aNodeWithoutACopyKeepsOneMarkPerSessionUntilACopyStartsAndAppliesPastIt() {
        // n4 holds no copy of partition 0 and took "c" at index 40 (told over a link, at the time, that another
        // node had it at index 30). The partition then moves to n4: its new copy replays index 30, which is stale.
        held.held(0, "c", 20, Long.MAX_VALUE);
        held.held(0, "c", 40, Long.MAX_VALUE);
        assertThat(held.size()).isEqualTo(1);
        held.applied(0, 100);
        assertThat(held.size()).as("nothing applies without a copy; the mark stays").isEqualTo(1);
        held.copyStarted(0);
        held.applied(0, 30);
        assertThat(held.stale(0, "c", 30)).isTrue();
        assertThat(held.stale(0, "c", 41)).isFalse();
        held.applied(0, 40);
        assertThat(held.size()).isZero();
    }
}
