package io.gannet.broker.store;

import io.gannet.broker.config.GannetConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * A module that keeps the broker's state somewhere (the persistence module on disk, the cluster across nodes), found
 * with {@link java.util.ServiceLoader} when its jar is on the class path. Each is asked at start; the one whose
 * configuration section enables it opens its stores. None: the broker keeps everything in memory.
 */
public interface StoreProvider {
    /** A short name for logs and errors, such as {@code chronicle}. */
    String name();

    /**
     * Opens the stores when {@code config} enables this provider.
     *
     * @param home  the installation directory, which relative paths in the configuration are resolved against
     * @param clock the broker's clock
     * @return the stores, or empty when the configuration does not enable this provider
     * @throws io.gannet.broker.config.ConfigException when it is enabled but its settings do not work
     */
    Optional<Stores> open(GannetConfig config, Path home, Clock clock);
}
