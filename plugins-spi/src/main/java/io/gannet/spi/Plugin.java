package io.gannet.spi;

/**
 * A Gannet plugin: the entry point the broker finds with {@link java.util.ServiceLoader}. A plugin jar lists its
 * implementation in {@code META-INF/services/io.gannet.spi.Plugin}.
 *
 * <p>Lifecycle: the broker creates one instance per plugin, calls {@link #start} once before it accepts clients
 * and {@link #stop} once when it shuts down. {@code start} registers the plugin's hooks on the context. A plugin
 * whose {@code start} throws is logged and left out; the broker keeps running without it.
 *
 * <p>Threading: {@code start} and {@code stop} run on the broker's main thread, never on a network event loop, so
 * they may block briefly (reading files, opening a connection pool).
 *
 * @since 1.0
 */
@Stable
public interface Plugin {
    /**
     * Starts the plugin: read configuration, set up resources, register hooks.
     *
     * @param context what the broker offers this plugin; valid until {@link #stop} returns
     * @throws Exception to refuse to start; the broker logs it and runs without the plugin
     */
    void start(PluginContext context) throws Exception;

    /** Releases what {@link #start} set up. Hooks are unregistered by the broker before this is called. */
    default void stop() {
    }
}
