package io.gannet.plugin.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The file {@code acknowledged} in a disk buffer's directory: the index up to which Kafka has acknowledged every
 * record, without a gap. It is written at most every 100 ms, through a temporary file and an atomic rename, so that
 * a crash leaves the old mark or the new one. A mark behind the truth only means records sent to Kafka twice.
 * Used by one thread at a time.
 */
final class AcknowledgedMark {
    private static final long SAVE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Path file;
    private final Path tmp;
    private long saved = -1;
    private long nextSaveNanos;

    AcknowledgedMark(Path dir) {
        this.file = dir.resolve("acknowledged");
        this.tmp = dir.resolve("acknowledged.tmp");
    }

    /** The mark saved last, or -1 when there is none. */
    long read() throws IOException {
        if (Files.exists(file)) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            if (b.remaining() == 8) {
                saved = b.getLong();
            }
        }
        return saved;
    }

    /**
     * Saves {@code index} if it moved since the last save, and that save is 100 ms old or {@code now} is set.
     *
     * @return whether it saved
     */
    boolean save(long index, boolean now) throws IOException {
        long t = System.nanoTime();
        if (index == saved || !now && t - nextSaveNanos < 0) {
            return false;
        }
        nextSaveNanos = t + SAVE_EVERY_NANOS;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, index));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        saved = index;
        return true;
    }
}
