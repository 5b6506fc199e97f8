package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The announcer's barrier: {@link MetadataProposer#committed()} completes once every change queued before it is
 * committed, and not before, with the log index of the entry that committed them. The Raft group is stood in for
 * by futures the test completes, one per entry.
 */
class MetadataProposerTest {
    private final LinkedBlockingQueue<CompletableFuture<Long>> entries = new LinkedBlockingQueue<>();
    private final MetadataProposer proposer = new MetadataProposer("n1", entry -> {
        CompletableFuture<Long> commit = new CompletableFuture<>();
        entries.add(commit);
        return commit;
    });

    @AfterEach
    void close() {
        proposer.close();
    }

    @Test
    void aBarrierWithNothingQueuedIsPassedAtOnce() {
        proposer.start();
        assertThat(proposer.committed()).isCompleted();
    }

    @Test
    void aBarrierWaitsForTheEntryThatHoldsTheChangesBeforeIt() throws Exception {
        proposer.propose(new MetadataChange.Add("n1", "a/#"));
        CompletableFuture<Long> afterA = proposer.committed();
        proposer.start();
        CompletableFuture<Long> first = entries.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        // Queued while the first entry waits: it goes in the next entry, and its barrier waits for that one.
        proposer.propose(new MetadataChange.Add("n1", "b/#"));
        CompletableFuture<Long> afterB = proposer.committed();
        assertThat(afterA).isNotDone();

        first.complete(7L);
        await().atMost(Duration.ofSeconds(10)).until(afterA::isDone);
        assertThat(afterA.join()).as("the index the changes are known as of").isEqualTo(7L);
        CompletableFuture<Long> second = entries.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(afterB).isNotDone();

        second.complete(9L);
        await().atMost(Duration.ofSeconds(10)).until(afterB::isDone);
        assertThat(afterB.join()).isEqualTo(9L);
        assertThat(proposer.committed()).isCompletedWithValue(9L);
    }
}
