package io.gannet.broker.retain;

import io.gannet.broker.routing.Message;
import java.util.function.Consumer;

/**
 * The retained message of each topic. The broker core keeps them in memory ({@link InMemoryRetainedStore}); the
 * persistence module provides one that survives a restart. Safe to call from any event loop.
 */
public interface RetainedStore {
    /**
     * Stores {@code message} as the retained message of its topic, or clears the topic when the payload is empty
     * [MQTT-3.3.1-10, MQTT-3.3.1-11].
     */
    void put(Message message);

    /** Calls {@code action} with each retained message whose topic matches the topic filter {@code filter}. */
    void match(String filter, Consumer<Message> action);

    /** The number of retained messages. */
    int size();
}
