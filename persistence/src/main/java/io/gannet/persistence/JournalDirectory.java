package io.gannet.persistence;

import io.gannet.broker.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The journal's directory: a {@code FORMAT} file naming the format that wrote it, a lock held while a broker uses
 * it, and the segments, {@code segment-<n>}, each a Chronicle Queue that starts with a snapshot of the live state.
 * Only the newest complete segment matters; older ones are deleted once a newer snapshot is complete.
 */
final class JournalDirectory implements AutoCloseable {
    /** The format this code reads and writes; a journal of another is refused at start, never misread. */
    static final int FORMAT = 2;
    private static final String FORMAT_LINE = "gannet-journal-format ";
    private static final String SEGMENT_PREFIX = "segment-";

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<Segment> open = new ArrayList<>();
    private final long blockSize;
    private long lastSegment;

    private JournalDirectory(Path path, FileChannel lockChannel, FileLock lock, long lastSegment, long blockSize) {
        this.path = path;
        this.blockSize = blockSize;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.lastSegment = lastSegment;
    }

    /**
     * Opens (or creates) the journal in {@code path} for this process alone.
     *
     * @param largestEntry the largest entry it must take (a message of the largest packet the broker accepts)
     * @throws ConfigException when it cannot be used: another process holds it, it is not writable, or it holds a
     *                         journal of another format
     */
    static JournalDirectory open(Path path, int largestEntry) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new ConfigException("persistence.directory: cannot create " + path + ": " + e);
        }
        Path format = path.resolve("FORMAT");
        FileChannel channel;
        FileLock lock;
        try {
            channel = FileChannel.open(path.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ConfigException("persistence.directory: cannot open " + path.resolve("lock") + ": " + e);
        }
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process: another broker in the same JVM
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConfigException("persistence.directory: cannot lock " + path + ": " + e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new ConfigException("persistence.directory: " + path + " is in use by another Gannet process; "
                    + "each broker needs a directory of its own");
        }
        try {
            if (Files.exists(format)) {
                String line = Files.readString(format, StandardCharsets.UTF_8).trim();
                int found = line.startsWith(FORMAT_LINE) ? parse(line.substring(FORMAT_LINE.length())) : -1;
                if (found != FORMAT) {
                    throw new ConfigException("persistence.directory: " + path + " holds a journal of format "
                            + (found < 0 ? "unknown ('" + line + "')" : found) + ", and this broker reads format "
                            + FORMAT + ". Start it with the Gannet version that wrote it, or move the directory "
                            + "away to start empty; nothing was changed.");
                }
            } else {
                if (!segmentNumbers(path).isEmpty()) {
                    throw new ConfigException("persistence.directory: " + path + " holds segments but no FORMAT "
                            + "file; it was not written by this broker. Nothing was changed.");
                }
                Files.writeString(format, FORMAT_LINE + FORMAT + "\n", StandardCharsets.UTF_8);
            }
            List<Long> numbers = segmentNumbers(path);
            // Chronicle takes a document of up to a quarter of its block: room for the largest message, twice.
            long room = Long.highestOneBit(8L * largestEntry + (1 << 20)) << 1;
            long blockSize = Math.min(1L << 30, Math.max(64L << 20, room));
            return new JournalDirectory(path, channel, lock, numbers.isEmpty() ? 0 : numbers.get(numbers.size() - 1),
                    blockSize);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ConfigException("persistence.directory: cannot read " + path + ": " + e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    Path path() {
        return path;
    }

    /** The numbers of the segments on disk, oldest first. */
    List<Long> segments() {
        try {
            return segmentNumbers(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> segmentNumbers(Path path) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(path)) {
            list.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.startsWith(SEGMENT_PREFIX) && Files.isDirectory(p)) {
                    try {
                        out.add(Long.parseLong(name.substring(SEGMENT_PREFIX.length())));
                    } catch (NumberFormatException ignored) {
                        // not ours
                    }
                }
            });
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Opens an existing segment to read it. */
    Segment openSegment(long number) {
        Segment s = Segment.open(segmentPath(number), number, blockSize);
        open.add(s);
        return s;
    }

    /** Creates the next segment, numbered after every one there is. */
    Segment createSegment() {
        long number = ++lastSegment;
        Segment s = Segment.open(segmentPath(number), number, blockSize);
        open.add(s);
        return s;
    }

    /** Deletes every segment numbered below {@code number}: a newer snapshot holds what they held. */
    void deleteAllBefore(long number) throws IOException {
        for (long n : segments()) {
            if (n < number) {
                open.removeIf(s -> {
                    if (s.number() == n) {
                        s.close();
                        return true;
                    }
                    return false;
                });
                deleteTree(segmentPath(n));
            }
        }
    }

    /** The bytes the open segments hold. */
    long bytesOnDisk() {
        long sum = 0;
        for (Segment s : open) {
            sum += s.bytes();
        }
        return sum;
    }

    private Path segmentPath(long number) {
        return path.resolve(String.format("%s%012d", SEGMENT_PREFIX, number));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        for (Segment s : open) {
            s.close();
        }
        open.clear();
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
