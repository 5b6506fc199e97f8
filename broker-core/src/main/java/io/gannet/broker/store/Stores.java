package io.gannet.broker.store;

/**
 * The stores a broker keeps its durable state in, as one {@link StoreProvider} opened them.
 *
 * @param closer releases what the stores hold (files, threads) when the broker stops; after every event loop has
 *               stopped, so no journal call comes later
 */
public record Stores(String name, SessionStore sessions, RetainedJournal retained, Runnable closer)
        implements AutoCloseable {

    /** Nothing survives a restart: the broker's default without a store module. */
    public static Stores inMemory() {
        return new Stores("memory", new InMemorySessionStore(), RetainedJournal.NONE, () -> { });
    }

    @Override
    public void close() {
        closer.run();
    }
}
