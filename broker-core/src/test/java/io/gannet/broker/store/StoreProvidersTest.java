package io.gannet.broker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.GannetConfig;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stores are chosen among the providers that {@link java.util.ServiceLoader} finds, by what the configuration
 * enables: here, providers registered in a class loader of the test's own.
 */
class StoreProvidersTest {
    static final AtomicInteger CLOSED = new AtomicInteger();

    /** Stores that count their closing, as a provider whose configuration enables it opens them. */
    static Optional<Stores> opened(String name) {
        return Optional.of(new Stores(name, new InMemorySessionStore(), RetainedJournal.NONE,
                CLOSED::incrementAndGet));
    }

    /** Enabled whatever the configuration says. */
    public static final class Enabled implements StoreProvider {
        @Override
        public String name() {
            return "enabled";
        }

        @Override
        public Optional<Stores> open(GannetConfig config, Path home, Clock clock) {
            return opened(name());
        }
    }

    /** A second one, to show that two enabled stores are refused. */
    public static final class AlsoEnabled implements StoreProvider {
        @Override
        public String name() {
            return "also-enabled";
        }

        @Override
        public Optional<Stores> open(GannetConfig config, Path home, Clock clock) {
            return opened(name());
        }
    }

    /** On the class path, but its configuration section does not enable it. */
    public static final class Disabled implements StoreProvider {
        @Override
        public String name() {
            return "disabled";
        }

        @Override
        public Optional<Stores> open(GannetConfig config, Path home, Clock clock) {
            return Optional.empty();
        }
    }

    private static ClassLoader providers(Path dir, Class<?>... classes) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder names = new StringBuilder();
        for (Class<?> c : classes) {
            names.append(c.getName()).append('\n');
        }
        Files.writeString(services.resolve(StoreProvider.class.getName()), names);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, StoreProvidersTest.class.getClassLoader());
    }

    private static Stores open(ClassLoader loader) {
        return StoreProviders.open(GannetConfig.defaults(), Path.of("."), Clock.systemUTC(), loader);
    }

    @Test
    void withoutAnEnabledProviderEverythingStaysInMemory(@TempDir Path dir) throws IOException {
        assertThat(open(providers(dir, Disabled.class)).name()).isEqualTo("memory");
    }

    @Test
    void theEnabledProviderIsChosen(@TempDir Path dir) throws IOException {
        Stores stores = open(providers(dir, Disabled.class, Enabled.class));
        assertThat(stores.name()).isEqualTo("enabled");
    }

    @Test
    void twoEnabledProvidersAreAConfigurationError(@TempDir Path dir) throws IOException {
        int closedBefore = CLOSED.get();
        assertThatThrownBy(() -> open(providers(dir, Enabled.class, AlsoEnabled.class)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("enabled").hasMessageContaining("also-enabled");
        assertThat(CLOSED.get() - closedBefore).isEqualTo(2); // both opened stores were closed again
    }
}
