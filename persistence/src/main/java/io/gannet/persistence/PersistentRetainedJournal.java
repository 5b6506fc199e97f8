package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.RetainedJournal;
import io.gannet.broker.store.SessionJournal;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The retained messages kept in the journal, handed back at start without those that expired meanwhile. The
 * broker's own {@code $SYS} values are not kept: they are published again, fresh, after a start.
 */
final class PersistentRetainedJournal implements RetainedJournal {
    private final JournalWriter writer;
    private List<Message> recovered;

    PersistentRetainedJournal(JournalWriter writer, List<Message> recovered) {
        this.writer = writer;
        this.recovered = recovered;
    }

    @Override
    public List<Message> recoverRetained() {
        List<Message> out = recovered;
        recovered = List.of();
        return out;
    }

    @Override
    public CompletableFuture<Void> stored(Message message) {
        if (isSys(message.topic())) {
            return SessionJournal.DONE;
        }
        CompletableFuture<Void> kept = new CompletableFuture<>();
        writer.submit(new JournalOp.RetainedStored(message, kept));
        return kept;
    }

    @Override
    public CompletableFuture<Void> cleared(String topic) {
        if (isSys(topic)) {
            return SessionJournal.DONE;
        }
        CompletableFuture<Void> kept = new CompletableFuture<>();
        writer.submit(new JournalOp.RetainedCleared(topic, kept));
        return kept;
    }

    private static boolean isSys(String topic) {
        return topic.startsWith("$SYS/");
    }
}
