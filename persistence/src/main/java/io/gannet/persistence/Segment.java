package io.gannet.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * One segment of the journal: a Chronicle Queue (memory-mapped, append-only files) in a directory of its own, so
 * that compaction can drop a whole segment at once. Entries are opaque byte records; this class is the only one
 * that knows Chronicle. A document is one batch of records and a CRC-32C of them, so that replay recognizes a
 * batch damaged on disk; Chronicle itself makes a document whole or absent after a crash. Appends and syncs happen
 * by one thread at a time, the journal's holder.
 */
final class Segment implements AutoCloseable {
    /** Chronicle's document header, counted in the bytes a segment takes. */
    private static final int HEADER_BYTES = 4;
    private static final int CHECKSUM_BYTES = 4;

    private final Path path;
    private final long number;
    private final ChronicleQueue queue;
    private final CRC32C crc = new CRC32C();
    private ExcerptAppender appender;
    private FileChannel syncChannel;
    private Path syncFile;
    private long bytes;
    private boolean closed;

    private Segment(Path path, long number, ChronicleQueue queue) {
        this.path = path;
        this.number = number;
        this.queue = queue;
    }

    /**
     * @param blockSize the size of the file blocks Chronicle maps; a document (one batch, or one large message) may
     *                  take a quarter of it
     */
    static Segment open(Path path, long number, long blockSize) {
        ChronicleQueue queue = SingleChronicleQueueBuilder.binary(path.toFile()).blockSize(blockSize).build();
        return new Segment(path, number, queue);
    }

    long number() {
        return number;
    }

    /** The bytes of the records in this segment, with their headers. */
    long bytes() {
        return bytes;
    }

    /** Appends {@code length} bytes of records as one document. */
    void append(byte[] records, int length) {
        if (appender == null) {
            appender = queue.createAppender();
            // Used by one thread at a time, but not always the same one (the journal's holder), with a volatile
            // hand-over between them.
            appender.singleThreadedCheckDisabled(true);
        }
        crc.reset();
        crc.update(records, 0, length);
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> out = dc.wire().bytes();
            out.write(records, 0, length);
            out.writeInt((int) crc.getValue());
        }
        bytes += length + CHECKSUM_BYTES + HEADER_BYTES;
    }

    /**
     * Reads the batches in order and hands the records of each to {@code each}, until the end, until {@code each}
     * answers false, or until a batch cannot be read: Chronicle cannot read on (a torn tail), or its checksum does
     * not match (damaged on disk), which ends replay with a {@link DamagedRecordException}.
     *
     * @return how many batches were handed over
     */
    long replay(Predicate<byte[]> each) {
        long count = 0;
        try (ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                byte[] batch;
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> in = dc.wire().bytes();
                    long n = in.readRemaining() - CHECKSUM_BYTES;
                    if (n < 0) {
                        throw new DamagedRecordException("a batch of " + (n + CHECKSUM_BYTES) + " bytes, too short "
                                + "for its checksum");
                    }
                    batch = new byte[(int) n];
                    in.read(batch);
                    int expected = in.readInt();
                    crc.reset();
                    crc.update(batch, 0, batch.length);
                    if ((int) crc.getValue() != expected) {
                        throw new DamagedRecordException("checksum mismatch in batch " + (count + 1));
                    }
                }
                bytes += batch.length + CHECKSUM_BYTES + HEADER_BYTES;
                count++;
                if (!each.test(batch)) {
                    break;
                }
            }
        }
        return count;
    }

    /**
     * Forces what was appended to the storage device. Linux writes back the dirty pages of a file's mapping on an
     * fsync of the file, so this syncs the cycle file the appender writes.
     */
    void sync() throws IOException {
        if (appender == null) {
            return;
        }
        Path current = currentFile();
        if (current == null) {
            return;
        }
        if (!current.equals(syncFile)) {
            if (syncChannel != null) {
                syncChannel.force(false);
                syncChannel.close();
            }
            syncChannel = FileChannel.open(current, StandardOpenOption.READ);
            syncFile = current;
        }
        syncChannel.force(false);
    }

    private Path currentFile() throws IOException {
        java.io.File f = appender.currentFile();
        if (f != null) {
            return f.toPath();
        }
        try (Stream<Path> list = Files.list(path)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".cq4")).max(Path::compareTo).orElse(null);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (syncChannel != null) {
                syncChannel.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        if (appender != null) {
            appender.close();
        }
        queue.close();
    }
}
