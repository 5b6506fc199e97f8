package io.gannet.broker.config;

/**
 * The {@code persistence} section: whether and how the broker's durable state is kept on disk. Read by the store
 * module that keeps it (the persistence module); the core only passes it on.
 *
 * @param enabled            whether persistent sessions and retained messages are kept on disk
 * @param directory          where the journal is, relative to the installation directory unless absolute
 * @param sync               when a publisher's acknowledgement may go out
 * @param syncIntervalMillis with {@link SyncPolicy#INTERVAL}, how often the journal is synced to disk
 * @param maxDiskBytes       the most bytes the journal may take before new messages are refused
 */
public record PersistenceConfig(boolean enabled, String directory, SyncPolicy sync, int syncIntervalMillis,
                                long maxDiskBytes) {

    /** When an entry of the journal counts as kept. */
    public enum SyncPolicy {
        /** Once it is in the memory-mapped file: survives a crash of the process, not of the machine. */
        OS,
        /** After the next periodic fsync (a group commit): survives power loss. */
        INTERVAL,
        /** After an fsync made for it, shared by the entries written together: survives power loss. */
        EVERY_MESSAGE;

        static SyncPolicy of(String value) {
            return switch (value) {
                case "os" -> OS;
                case "interval" -> INTERVAL;
                case "every-message" -> EVERY_MESSAGE;
                default -> throw new IllegalArgumentException(value);
            };
        }
    }
}
