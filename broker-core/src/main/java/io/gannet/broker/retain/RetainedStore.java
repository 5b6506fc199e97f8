package io.gannet.broker.retain;

import io.gannet.broker.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The retained message of each topic. {@link RetainedTree} indexes them in memory and records each change in the
 * {@link io.gannet.broker.store.RetainedJournal} of the broker's store, so that a durable store keeps them across
 * restarts. Safe to call from any event loop.
 */
public interface RetainedStore {
    /**
     * Stores {@code message} as the retained message of its topic, or clears the topic when the payload is empty
     * [MQTT-3.3.1-10, MQTT-3.3.1-11].
     *
     * @return what a QoS 1 or 2 publisher's acknowledgement waits for (the store keeping the change), or
     *         {@code null} when nothing
     */
    CompletableFuture<Void> put(Message message);

    /** Calls {@code action} with each retained message whose topic matches the topic filter {@code filter}. */
    void match(String filter, Consumer<Message> action);

    /** The number of retained messages. */
    int size();

    /** Fills the store with what its journal kept, once, at start; returns how many messages came back. */
    int recover();
}
