package io.gannet.broker.store;

import io.gannet.broker.message.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The port through which retained messages outlive the broker process. The core keeps its own index of them for
 * matching; a durable store records each change here and hands the messages back at the next start.
 *
 * <p>Threading: called from any event loop, concurrently; the changes of one topic come in the order they were made.
 */
public interface RetainedJournal {
    /** Keeps nothing. */
    RetainedJournal NONE = new RetainedJournal() {
        @Override
        public List<Message> recoverRetained() {
            return List.of();
        }
    };

    /** The retained messages to index, once, at start, before any listener opens. */
    List<Message> recoverRetained();

    /**
     * {@code message} is now the retained message of its topic.
     *
     * @return completes once kept; a QoS 1 or 2 publisher of a retained message is acknowledged then
     */
    default CompletableFuture<Void> stored(Message message) {
        return SessionJournal.DONE;
    }

    /** The topic has no retained message any more (cleared by an empty payload, or expired). */
    default CompletableFuture<Void> cleared(String topic) {
        return SessionJournal.DONE;
    }
}
