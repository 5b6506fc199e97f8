package io.gannet.plugin.kafka;

import io.gannet.plugin.kafka.BridgeConfig.WhenFull;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;

/**
 * The records of one Kafka cluster that wait on disk: those of {@code after-buffer} mappings, whose publishers are
 * acknowledged once the record is here, and those of {@code at-once} mappings that no longer fit in memory. A
 * Chronicle Queue in {@code <buffer.directory>/<cluster>/}, written and read by one thread of its own, which hands
 * the records on to the cluster's {@link KafkaSender} in the order they were written, a window at a time, and
 * remembers (in the file {@code acknowledged}) how far Kafka has acknowledged them without a gap. After a crash or
 * a restart it starts again from there: a record may reach Kafka twice, none is lost.
 *
 * <p>Records handed in wait in memory until the thread writes them. When more than {@code maxUnwrittenBytes} wait
 * so, the buffer {@link #isBehind is behind}: {@code at-once} acknowledgements then wait for the write too, so that
 * the publishers slow down rather than fill the heap.
 *
 * <p>Its bound is {@code buffer.max-bytes} of records not yet acknowledged by Kafka. When full, {@code refuse}
 * refuses new records, and {@code drop-oldest} passes over the oldest ones not yet handed to Kafka (each counted).
 * Cycle files (five minutes each) are deleted once every record in them is acknowledged.
 */
final class DiskBuffer implements AutoCloseable {
    /**
     * How much is handed to the sender at a time (at most a quarter of the bound), counted as the records take the
     * heap ({@link OutRecord#bytes()}); the rest waits on disk. The rate from disk is at most this window over
     * Kafka's answer time (0.3 to 0.5 s here under load): 32 MiB held 1 KiB records to about 36,000 a second. It
     * covers the records in the sender's queue as well as the producer's own 32 MiB. Counted by the bytes on disk
     * instead, a window of small records took ten times its size in heap.
     */
    private static final long MAX_WINDOW_BYTES = 64L << 20;
    /**
     * Records handed in and not yet written, by what they take on the heap, before the buffer is behind. Under a
     * load above what the thread writes, {@code at-once} records piled up here without end: 1.8 million of them, the
     * whole heap, in a benchmark at 90 % of Kafka's own rate.
     */
    static final long MAX_UNWRITTEN_BYTES = 16L << 20;
    /** An entry's objects apart from its record's bytes: the entry, its queue node, its completion, the array. */
    private static final long ENTRY_OVERHEAD = 96;

    private final String cluster;
    private final Path dir;
    private final KafkaSender sender;
    private final Function<String, MappingMetrics> metricsOf;
    private final long maxBytes;
    private final long maxUnwrittenBytes;
    private final long windowBytes;
    private final WhenFull whenFull;
    private final Logger log;
    private final ChronicleQueue queue;
    private final AcknowledgedMark mark;
    private final Queue<Entry> inbox = new ConcurrentLinkedQueue<>();
    /** Bytes of records written and not yet acknowledged by Kafka, and of those handed in and not yet written. */
    private final AtomicLong backlogBytes = new AtomicLong();
    private final AtomicLong backlogRecords = new AtomicLong();
    /** Heap bytes of the records handed in and not yet written. */
    private final AtomicLong unwrittenBytes = new AtomicLong();
    private final Thread thread;
    private final CycleFiles cycleFiles;
    private final ArrayDeque<Forwarded> forwarded = new ArrayDeque<>();
    /** What waits for the batch being written; reused, on the buffer's thread. */
    private final java.util.List<CompletableFuture<Void>> written = new java.util.ArrayList<>();
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private long forwardedBytes;
    private long acknowledgedIndex = -1;
    private volatile boolean running = true;
    private volatile boolean parked;
    /** Why the buffer's thread stopped (a disk error); from then on every new record is refused. */
    private volatile Exception failure;

    /** A record handed in by an event loop, with what waits for it to be written. */
    private record Entry(String mapping, byte[] record, CompletableFuture<Void> written) {
    }

    /**
     * A record handed to the sender, in order; {@code done} is set by Kafka's answer. {@code bytes} is what it takes
     * on disk (the backlog's count), {@code heapBytes} what it takes in memory until Kafka answers (the window's).
     */
    private static final class Forwarded {
        final long index;
        final long bytes;
        long heapBytes;
        volatile boolean done;

        Forwarded(long index, long bytes) {
            this.index = index;
            this.bytes = bytes;
        }
    }

    DiskBuffer(String cluster, Path directory, KafkaSender sender, Function<String, MappingMetrics> metricsOf,
               long maxBytes, WhenFull whenFull, Logger log) throws IOException {
        this(cluster, directory, sender, metricsOf, maxBytes, MAX_UNWRITTEN_BYTES, whenFull, log);
    }

    /** With the bound of records not yet written in memory that makes the buffer behind; tests make it small. */
    DiskBuffer(String cluster, Path directory, KafkaSender sender, Function<String, MappingMetrics> metricsOf,
               long maxBytes, long maxUnwrittenBytes, WhenFull whenFull, Logger log) throws IOException {
        this.cluster = cluster;
        this.maxUnwrittenBytes = maxUnwrittenBytes;
        this.dir = directory.resolve(cluster);
        this.sender = sender;
        this.metricsOf = metricsOf;
        this.maxBytes = maxBytes;
        // What is handed to the sender cannot be dropped any more: most of the bound stays here, where it can.
        this.windowBytes = Math.min(MAX_WINDOW_BYTES, maxBytes / 4);
        this.whenFull = whenFull;
        this.log = log;
        Files.createDirectories(dir);
        this.mark = new AcknowledgedMark(dir);
        this.cycleFiles = new CycleFiles(log);
        this.queue = KafkaSender.withPluginClassLoader(() -> SingleChronicleQueueBuilder.binary(dir.resolve("records")
                        .toFile())
                .rollCycle(RollCycles.FIVE_MINUTELY)
                .storeFileListener(cycleFiles)
                .build());
        this.thread = new Thread(this::run, "gannet-kafka-buffer-" + cluster);
        thread.setDaemon(true);
        recover();
        thread.start();
    }

    /** Reads where Kafka's acknowledgements reached, and counts what waits after it. */
    private void recover() throws IOException {
        acknowledgedIndex = mark.read();
        long records = 0;
        long bytes = 0;
        // A tailer of its own: Chronicle's tailers belong to the thread that first uses them, and this is not the
        // buffer's thread.
        try (ExcerptTailer counter = queue.createTailer()) {
            afterAcknowledged(counter);
            while (true) {
                try (DocumentContext dc = counter.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    records++;
                    bytes += dc.wire().bytes().readRemaining() + 4;
                }
            }
        }
        backlogRecords.set(records);
        backlogBytes.set(bytes);
        if (records > 0) {
            log.info("Kafka bridge: {} records ({} bytes) wait on disk for cluster '{}'; they are sent first",
                    records, bytes, cluster);
        }
    }

    /** Moves {@code t} to the first record Kafka has not acknowledged. */
    private void afterAcknowledged(ExcerptTailer t) {
        if (acknowledgedIndex >= 0 && t.moveToIndex(acknowledgedIndex)) {
            try (DocumentContext dc = t.readingDocument()) {
                // the acknowledged one itself: passed over
            }
        } else {
            t.toStart();
        }
    }

    /** Whether nothing waits on disk: at-once records then go straight to memory. */
    boolean isEmpty() {
        return backlogRecords.get() == 0;
    }

    /** Whether a record of {@code bytes} fits now; with {@code drop-oldest} there is always room. */
    boolean hasRoom(long bytes) {
        if (failure != null) {
            return false;
        }
        return whenFull == WhenFull.DROP_OLDEST || backlogBytes.get() + bytes <= maxBytes;
    }

    long backlogBytes() {
        return backlogBytes.get();
    }

    /**
     * Whether more records wait in memory to be written than the bound allows: the thread writes more slowly than
     * records come, and what is handed in now should wait for its write.
     */
    boolean isBehind() {
        return unwrittenBytes.get() >= maxUnwrittenBytes;
    }

    long backlogRecords() {
        return backlogRecords.get();
    }

    /**
     * Hands a record in; never blocks.
     *
     * @return completed once the record is on disk (in the memory-mapped file: it survives a crash of the process)
     */
    CompletableFuture<Void> add(String mapping, ProducerRecord<byte[], byte[]> record) {
        byte[] encoded = RecordCodec.encode(record);
        backlogBytes.addAndGet(documentBytes(mapping, encoded.length));
        backlogRecords.incrementAndGet();
        unwrittenBytes.addAndGet(ENTRY_OVERHEAD + encoded.length);
        CompletableFuture<Void> written = new CompletableFuture<>();
        inbox.add(new Entry(mapping, encoded, written));
        if (failure != null) {
            failWaiting(); // the thread is gone: nobody else will
        } else if (parked) {
            LockSupport.unpark(thread);
        }
        return written;
    }

    /** What a record takes in the backlog: its document (name length, name, record) and the document's header. */
    private static long documentBytes(String mapping, int recordBytes) {
        return 4L + mapping.length() + recordBytes + 4;
    }

    private void run() {
        try {
            appender = queue.createAppender();
            tailer = queue.createTailer();
            afterAcknowledged(tailer);
            while (running) {
                boolean worked = write();
                worked |= settle();
                worked |= forward();
                saveProgress(false);
                if (!worked) {
                    parked = true;
                    if (inbox.isEmpty() && running) {
                        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                    }
                    parked = false;
                }
            }
            write();
            settle();
            saveProgress(true);
        } catch (RuntimeException | IOException e) {
            log.error("The Kafka bridge's buffer for cluster '{}' in {} failed; from now on the messages that need it "
                    + "are refused (what it holds is sent after a restart)", cluster, dir, e);
            failure = e;
            failWaiting();
        } finally {
            if (tailer != null) {
                tailer.close();
            }
            if (appender != null) {
                appender.close();
            }
        }
    }

    private void failWaiting() {
        Entry e;
        while ((e = inbox.poll()) != null) {
            e.written().completeExceptionally(failure);
        }
    }

    /** Appends what was handed in, then tells those who wait; {@code drop-oldest} then makes room. */
    private boolean write() {
        int n = 0;
        long heapBytes = 0;
        Entry e;
        written.clear();
        while (n < 1024 && (e = inbox.poll()) != null) {
            byte[] name = e.mapping().getBytes(StandardCharsets.US_ASCII); // mapping names are ASCII
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> out = dc.wire().bytes();
                out.writeInt(name.length);
                out.write(name);
                out.write(e.record());
            }
            written.add(e.written());
            heapBytes += ENTRY_OVERHEAD + e.record().length;
            n++;
        }
        unwrittenBytes.addAndGet(-heapBytes);
        for (CompletableFuture<Void> w : written) {
            w.complete(null);
        }
        if (whenFull == WhenFull.DROP_OLDEST) {
            long over = backlogBytes.get() - maxBytes;
            while (over > 0) {
                long dropped = dropOldest();
                if (dropped == 0) {
                    break;
                }
                over -= dropped;
            }
        }
        return n > 0;
    }

    /** Passes over the oldest record not yet handed to Kafka; its bytes, or 0 when there is none. */
    private long dropOldest() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return 0;
            }
            Bytes<?> in = dc.wire().bytes();
            long bytes = in.readRemaining();
            int nameLength = in.readInt();
            byte[] name = new byte[nameLength];
            in.read(name);
            MappingMetrics m = metricsOf.apply(new String(name, StandardCharsets.UTF_8));
            if (m != null) {
                byte[] record = new byte[(int) in.readRemaining()];
                in.read(record);
                try {
                    m.dropped(RecordCodec.decode(record), "buffer-full");
                } catch (IllegalArgumentException damaged) {
                    m.dropped("", "", 0, "buffer-full"); // what it was cannot be read: counted all the same
                }
            }
            // Passed over for good: out of the backlog at once (records ahead of it may wait for Kafka for long),
            // and in the queue of forwarded ones only so that the acknowledged mark moves over it in order.
            Forwarded f = new Forwarded(dc.index(), 0);
            f.done = true;
            forwarded.addLast(f);
            backlogBytes.addAndGet(-(bytes + 4));
            backlogRecords.decrementAndGet();
            return bytes + 4;
        }
    }

    /** Hands records on to the sender while the window has room. */
    private boolean forward() {
        boolean any = false;
        while (forwardedBytes < windowBytes) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                Bytes<?> in = dc.wire().bytes();
                long bytes = in.readRemaining();
                int nameLength = in.readInt();
                byte[] name = new byte[nameLength];
                in.read(name);
                byte[] record = new byte[(int) in.readRemaining()];
                in.read(record);
                Forwarded f = new Forwarded(dc.index(), bytes);
                forwarded.addLast(f);
                any = true;
                MappingMetrics m = metricsOf.apply(new String(name, StandardCharsets.UTF_8));
                ProducerRecord<byte[], byte[]> decoded;
                try {
                    decoded = RecordCodec.decode(record);
                } catch (IllegalArgumentException damaged) {
                    log.warn("Kafka bridge: {} in the buffer of cluster '{}' at index {}; passed over",
                            damaged.getMessage(), cluster, Long.toHexString(dc.index()));
                    f.done = true;
                    continue;
                }
                CompletableFuture<Void> sent = new CompletableFuture<>();
                sent.whenComplete((ok, error) -> {
                    if (error instanceof BridgeStoppedException) {
                        return; // not sent: it stays on disk for the next start
                    }
                    // Acknowledged, dropped to make room, or refused by Kafka for good (counted by the sender):
                    // a refused record is not retried, or it would hold back all that follow.
                    f.done = true;
                    if (parked) {
                        LockSupport.unpark(thread);
                    }
                });
                OutRecord out = new OutRecord(decoded, sent, m, System.nanoTime());
                f.heapBytes = out.bytes();
                forwardedBytes += out.bytes();
                sender.add(out);
            }
        }
        return any;
    }

    /** Moves the acknowledged mark over the records Kafka has answered, without a gap. */
    private boolean settle() {
        boolean any = false;
        while (!forwarded.isEmpty() && forwarded.peekFirst().done) {
            Forwarded f = forwarded.pollFirst();
            acknowledgedIndex = f.index;
            forwardedBytes -= f.heapBytes;
            if (f.bytes > 0) { // 0: a dropped record, already out of the backlog
                backlogBytes.addAndGet(-(f.bytes + 4));
                backlogRecords.decrementAndGet();
            }
            any = true;
        }
        return any;
    }

    /** Writes the acknowledged mark now and then, and deletes the cycle files Kafka has every record of. */
    private void saveProgress(boolean now) throws IOException {
        if (mark.save(acknowledgedIndex, now)) {
            deleteSpentCycles();
        }
    }

    private void deleteSpentCycles() {
        int spentBefore = queue.rollCycle().toCycle(acknowledgedIndex);
        cycleFiles.deleteBefore(Math.min(spentBefore, appender.cycle()));
        queue.refreshDirectoryListing();
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.close();
    }
}
