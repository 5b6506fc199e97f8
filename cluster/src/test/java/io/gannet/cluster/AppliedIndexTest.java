package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** How far a node's copy of the metadata log has applied, and what waits for an index. */
class AppliedIndexTest {
    private final AppliedIndex applied = new AppliedIndex();

    @Test
    void aWaitForAnIndexEndsWhenThatIndexIsAppliedAndNotBefore() {
        CompletableFuture<Void> at5 = applied.reached(5);
        CompletableFuture<Void> at7 = applied.reached(7);
        assertThat(applied.reached(0)).isDone();
        applied.advance(4);
        assertThat(at5).isNotDone();
        applied.advance(6);
        assertThat(at5).isDone();
        assertThat(at7).isNotDone();
        applied.advance(3); // an older index, as a snapshot's: the index never goes back
        assertThat(applied.get()).isEqualTo(6);
        applied.advance(9);
        assertThat(at7).isDone();
        assertThat(applied.reached(9)).isDone();
        assertThat(applied.get()).isEqualTo(9);
    }
}
