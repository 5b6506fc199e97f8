package io.gannet.persistence;

import java.util.concurrent.CompletableFuture;

/**
 * Where the events of persistent sessions go as {@link JournalOp}s: this node's {@link JournalWriter}, or another
 * keeper of the same records (the cluster's session partitions, which replicate them through Raft). Called on the
 * sessions' event loops; never blocks.
 */
public interface JournalSink {
    /** Takes one event, to be kept in the order of the calls; its {@link JournalOp#done()} completes once kept. */
    void submit(JournalOp op);

    /**
     * The completion of a new message for a persistent session: a fresh one that {@link #submit} hands back once the
     * message is kept, or one already failed when nothing more can be kept (full, broken), so that the publisher
     * learns it and the session drops the message.
     */
    CompletableFuture<Void> admit();
}
