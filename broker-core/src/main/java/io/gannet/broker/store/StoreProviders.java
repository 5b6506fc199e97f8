package io.gannet.broker.store;

import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.GannetConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the stores of a broker among the {@link StoreProvider}s on the class path, by configuration. */
public final class StoreProviders {
    private static final Logger log = LoggerFactory.getLogger(StoreProviders.class);

    private StoreProviders() {
    }

    /**
     * Opens the stores of the one provider found through {@code loader} that the configuration enables, or the
     * in-memory ones when none does.
     *
     * @throws ConfigException when more than one provider is enabled: the broker keeps its state in one place
     */
    public static Stores open(GannetConfig config, Path home, Clock clock, ClassLoader loader) {
        List<Stores> opened = new ArrayList<>(1);
        for (StoreProvider provider : ServiceLoader.load(StoreProvider.class, loader)) {
            Optional<Stores> stores = provider.open(config, home, clock);
            stores.ifPresent(opened::add);
        }
        if (opened.size() > 1) {
            List<String> names = opened.stream().map(Stores::name).toList();
            for (Stores s : opened) {
                closeQuietly(s);
            }
            throw new ConfigException("more than one store is enabled (" + String.join(", ", names)
                    + "); enable one of them");
        }
        if (opened.isEmpty()) {
            if (config.persistence().enabled()) {
                log.warn("persistence.enabled is true, but no persistence module is on the class path: persistent "
                        + "sessions and retained messages are kept in memory only and do not survive a restart");
            }
            return Stores.inMemory();
        }
        log.info("Sessions and retained messages are kept by the {} store", opened.get(0).name());
        return opened.get(0);
    }

    private static void closeQuietly(Stores stores) {
        try {
            stores.close();
        } catch (RuntimeException e) {
            log.warn("Closing the {} store failed: {}", stores.name(), e.toString());
        }
    }
}
