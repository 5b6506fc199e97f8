package io.gannet.broker.store;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The stores a broker keeps its durable state in, as one {@link StoreProvider} opened them.
 *
 * @param metrics visits the store's own figures (bytes kept, messages refused), by topic below {@code $SYS/broker/}
 * @param closer  releases what the stores hold (files, threads) when the broker stops; after every event loop has
 *                stopped, so no journal call comes later
 */
public record Stores(String name, SessionStore sessions, RetainedJournal retained,
                     Consumer<BiConsumer<String, Long>> metrics, Runnable closer) implements AutoCloseable {

    /** Stores with no figures of their own. */
    public Stores(String name, SessionStore sessions, RetainedJournal retained, Runnable closer) {
        this(name, sessions, retained, visitor -> { }, closer);
    }

    /** Nothing survives a restart: the broker's default without a store module. */
    public static Stores inMemory() {
        return new Stores("memory", new InMemorySessionStore(), RetainedJournal.NONE, () -> { });
    }

    @Override
    public void close() {
        closer.run();
    }
}
