package io.gannet.persistence;

import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.PersistenceConfig;
import io.gannet.broker.store.StoreProvider;
import io.gannet.broker.store.Stores;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps persistent sessions and retained messages in a journal on Chronicle Queue when {@code persistence.enabled}
 * is true: found by the broker with {@link java.util.ServiceLoader} when this module is in {@code lib/}.
 */
public final class PersistenceStoreProvider implements StoreProvider {
    private static final Logger log = LoggerFactory.getLogger(PersistenceStoreProvider.class);

    @Override
    public String name() {
        return "persistence";
    }

    @Override
    public Optional<Stores> open(GannetConfig config, Path home, Clock clock) {
        PersistenceConfig settings = config.persistence();
        if (!settings.enabled()) {
            return Optional.empty();
        }
        Path path = home.resolve(settings.directory()).toAbsolutePath().normalize();
        long started = System.nanoTime();
        JournalDirectory directory = JournalDirectory.open(path, config.mqtt().maxPacketSize());
        try {
            JournalRecovery.Recovered recovered = JournalRecovery.recover(directory);
            LiveState state = recovered.state();
            state.dropExpired(clock.millis()); // before anything is handed to the core
            JournalWriter writer = new JournalWriter(directory, state, settings, clock);
            PersistentSessionStore sessions = new PersistentSessionStore(writer, state);
            PersistentRetainedJournal retained = new PersistentRetainedJournal(writer, state.retainedMessages());
            int sessionCount = state.sessionCount();
            long messageCount = state.messageCount();
            int retainedCount = state.retainedCount();
            writer.start(); // writes the recovered state as a fresh segment and deletes the old ones
            log.info("Journal in {} (sync: {}): {} persistent sessions, {} queued and in-flight messages, {} retained "
                            + "messages recovered from {} entries in {} ms", path,
                    settings.sync().name().toLowerCase().replace('_', '-'), sessionCount, messageCount,
                    retainedCount, recovered.entries(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return Optional.of(new Stores(name(), sessions, retained, visitor -> metrics(writer, visitor), () -> {
                writer.close();
                directory.close();
            }));
        } catch (IOException e) {
            directory.close();
            throw new ConfigException("persistence.directory: the journal in " + path + " cannot be written: " + e);
        } catch (RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    private static void metrics(JournalWriter writer, BiConsumer<String, Long> visitor) {
        visitor.accept("persistence/bytes", writer.diskBytes());
        visitor.accept("persistence/messages/refused", writer.refused());
        visitor.accept("persistence/compactions", writer.compactions());
    }
}
