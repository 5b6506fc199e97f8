package io.gannet.plugin.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;

/**
 * Everything the bridge sends to one Kafka cluster: one idempotent producer ({@code acks=all}) and the thread that
 * feeds it from a bounded queue. Event loops only add to the queue and never wait; the thread is the one that waits
 * when Kafka is away (for metadata, or for room in the producer's buffer), and it sends in the order the records
 * came, so that records with the same key keep their order.
 *
 * <p>The producer retries a record until Kafka takes it ({@code delivery.timeout.ms} is unbounded): an outage makes
 * records wait, it does not lose them. What waits (queued here, or in the producer without Kafka's answer yet) is
 * bounded by {@code maxWaitingBytes}; past it the caller applies the buffer's {@code when-full} policy. Only a
 * window of half of it (at most 32 MiB) is handed to the producer at a time, so that what waits beyond that
 * stays here, where {@code drop-oldest} can still drop it.
 *
 * <p>A record is given up only when Kafka refuses that record itself ({@link #refusesTheRecord}: too large, an
 * invalid topic or timestamp). Any other failure (the idempotent producer in an error state it cannot leave, an
 * authorization or version error an operator may fix) closes the producer, puts every record it had not had an
 * answer for back at the head of the queue in the order they were sent, and starts a new producer after a backoff:
 * a record may then reach Kafka twice, but an acknowledged one is never given up because the producer failed.
 */
final class KafkaSender implements AutoCloseable {
    /** How long one attempt to hand a record to the producer may block the sender thread; then it tries again. */
    private static final Duration MAX_BLOCK = Duration.ofSeconds(2);
    /** The wait before a new producer after one failed, doubled on each failure in a row up to the maximum. */
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * Kafka holding records without answering any for this long is stalled, not slow (see {@link #keepsUp}): four
     * times its answer time under load here, and the time the producer may wait for metadata.
     */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Records Kafka refuses are logged at most this often (each is counted), so that a bad mapping cannot flood. */
    private static final long REFUSAL_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String cluster;
    private final Map<String, Object> producerConfig;
    private final java.util.function.Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
    private volatile Producer<byte[], byte[]> producer;
    private final Logger log;
    private final long maxWaitingBytes;
    private final long producerWindowBytes;
    private final ConcurrentLinkedDeque<OutRecord> queue = new ConcurrentLinkedDeque<>();
    /** Bytes and records not yet acknowledged by Kafka: queued here or handed to the producer. */
    private final AtomicLong waitingBytes = new AtomicLong();
    private final AtomicLong waitingRecords = new AtomicLong();
    /** Bytes handed to the producer and not yet answered. */
    private final AtomicLong inProducerBytes = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean parked;
    private volatile boolean reachable = true;
    /**
     * When Kafka last acknowledged a record, or the producer, holding none, was handed one: the time since which an
     * answer is due, for {@link #keepsUp}.
     */
    private volatile long lastAnswerNanos = System.nanoTime();
    /** The record being handed to the producer, and whether the producer refused it at once; sender thread only. */
    private OutRecord sending;
    private Exception refusedNow;
    /** Sender thread only: the order in which records were handed to the producer. */
    private long sentCount;
    private final HeldAcknowledgements held = new HeldAcknowledgements();
    /** Whether Kafka has stalled, for {@link #held}; one object rather than one per turn of the sender. */
    private final BooleanSupplier stalled = () -> !keepsUp();
    /** Records the producer failed for a reason of its own, to be sent again by a new producer. */
    private final ConcurrentLinkedQueue<Unanswered> toResend = new ConcurrentLinkedQueue<>();
    /** Why the producer must be replaced, or {@code null}; set by a callback, read by the sender thread. */
    private volatile Exception broken;
    /** Set while the bridge stops: what the producer fails then stays for the next start. */
    private volatile boolean stopping;
    private long backoffNanos = FIRST_BACKOFF_NANOS;
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private volatile long lastRefusalLog = System.nanoTime() - REFUSAL_LOG_EVERY_NANOS - 1;
    private int restarts;

    /** A record handed to the producer that must be sent again, with its place in the order of sending. */
    private record Unanswered(long order, OutRecord record) {
    }

    KafkaSender(BridgeConfig.Cluster cluster, long maxWaitingBytes, Logger log) {
        this(cluster, maxWaitingBytes, log, props -> new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer()));
    }

    /** With the producers made by {@code producers}: tests wrap a real producer to inject its failures. */
    KafkaSender(BridgeConfig.Cluster cluster, long maxWaitingBytes, Logger log,
                java.util.function.Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.cluster = cluster.name();
        this.log = log;
        this.maxWaitingBytes = maxWaitingBytes;
        // Kafka's default buffer.memory: beyond it send() would block. A smaller window caps the rate at the window
        // over Kafka's answer time (half a second when loaded), which 16 MiB did for 1 KiB records.
        this.producerWindowBytes = Math.min(32L << 20, maxWaitingBytes / 2);
        Map<String, Object> props = new java.util.HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "gannet-bridge-" + cluster.name());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE); // an outage delays, never drops
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
        props.putAll(cluster.properties());
        this.producerConfig = Map.copyOf(props);
        this.producers = producers;
        this.producer = withPluginClassLoader(() -> producers.apply(producerConfig));
        this.thread = new Thread(this::run, "gannet-kafka-" + cluster.name());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Kafka's client loads classes named in properties (SASL login handlers, interceptors) through the thread's
     * context class loader: make it the plugin's while the client is built.
     */
    static <T> T withPluginClassLoader(java.util.function.Supplier<T> build) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(KafkaSender.class.getClassLoader());
        try {
            return build.get();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    /** Whether a record of {@code bytes} fits under the bound now. */
    boolean hasRoom(long bytes) {
        return waitingBytes.get() + bytes <= maxWaitingBytes;
    }

    /**
     * Whether a record of {@code bytes} fits under the bound for records whose publisher waits for Kafka's answer:
     * twice {@link #hasRoom}'s. Such a record slows its publisher down, so what waits beyond the first bound is
     * limited by the publishers' in-flight windows; this keeps it bounded when there are many. (A quarter more was
     * too little: 100 publishers with 200 1 KiB messages in flight each took more, and the rest went to disk.)
     */
    boolean hasRoomToHold(long bytes) {
        return waitingBytes.get() + bytes <= 2 * maxWaitingBytes;
    }

    /**
     * Whether Kafka takes records, if more slowly than they come: it is reachable, and it answered a record within
     * the last two seconds or holds none unanswered. Not so while it is away or frozen: the producer then
     * holds records without answering, or cannot take them at all.
     */
    boolean keepsUp() {
        return reachable && (inProducerBytes.get() == 0 || System.nanoTime() - lastAnswerNanos < STALL_NANOS);
    }

    /** Queues a record; the caller checked {@link #hasRoom} or made room. Never blocks. */
    void add(OutRecord r) {
        waitingBytes.addAndGet(r.bytes());
        waitingRecords.incrementAndGet();
        queue.addLast(r);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Queues a record whose publisher's acknowledgement waits for Kafka's answer while Kafka {@link #keepsUp}: if
     * Kafka stalls first, {@code r.sent()} completes anyway and the record waits in memory like any other. The caller
     * checked {@link #hasRoomToHold}.
     */
    void addHeld(OutRecord r) {
        held.add(r);
        add(r);
    }

    /** Removes the oldest waiting record to make room, or returns {@code null} when none waits. */
    OutRecord dropOldest() {
        OutRecord r = queue.pollFirst();
        if (r != null) {
            settled(r);
        }
        return r;
    }

    /** Bytes of the records Kafka has not acknowledged yet. */
    long waitingBytes() {
        return waitingBytes.get();
    }

    /** Records Kafka has not acknowledged yet. */
    long waitingRecords() {
        return waitingRecords.get();
    }

    boolean reachable() {
        return reachable;
    }

    /** The record no longer waits: Kafka has it, refused it, or it was dropped. */
    private void settled(OutRecord r) {
        waitingBytes.addAndGet(-r.bytes());
        waitingRecords.decrementAndGet();
    }

    private void run() {
        OutRecord next = null;
        while (running) {
            held.settle(stalled); // at least every 100 ms while the thread waits
            if (broken != null) {
                next = replaceProducer(next);
                continue;
            }
            if (next == null && inProducerBytes.get() < producerWindowBytes) {
                next = queue.pollFirst();
            }
            if (next == null) {
                // Nothing queued, or the window is full: a new record or Kafka's answer wakes the thread.
                parked = true;
                if ((queue.isEmpty() || inProducerBytes.get() >= producerWindowBytes) && running) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                }
                parked = false;
                continue;
            }
            if (send(next)) {
                next = null;
            }
        }
        if (next != null) {
            queue.addFirst(next);
        }
    }

    /**
     * Closes a producer that failed, puts what it held back at the head of the queue in the order it was sent
     * ({@code next} last), and starts a new one after the backoff. Returns the record to send next ({@code null}).
     */
    private OutRecord replaceProducer(OutRecord next) {
        Exception why = broken;
        restarts++;
        log.warn("Kafka cluster '{}': the producer failed ({}); its unanswered records are sent again by a new "
                + "producer in {} ms", cluster, why.toString(), TimeUnit.NANOSECONDS.toMillis(backoffNanos));
        // Fails every record it still holds; their callbacks queue them in toResend.
        producer.close(Duration.ZERO);
        if (next != null) {
            queue.addFirst(next);
        }
        List<Unanswered> again = new ArrayList<>();
        Unanswered u;
        while ((u = toResend.poll()) != null) {
            again.add(u);
        }
        again.sort(Comparator.comparingLong(Unanswered::order));
        for (int i = again.size() - 1; i >= 0; i--) {
            queue.addFirst(again.get(i).record());
        }
        long until = System.nanoTime() + backoffNanos;
        backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        for (long left = backoffNanos; running && (left = until - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(this, left);
        }
        broken = null;
        if (running) {
            producer = withPluginClassLoader(() -> producers.apply(producerConfig));
        }
        return null;
    }

    /** How many times a failed producer was replaced. */
    int producerRestarts() {
        return restarts;
    }

    /**
     * Whether Kafka refused this record itself, so that sending it again cannot help: it is given up, counted and
     * logged. Everything else is the producer's or the cluster's state, and the record is sent again.
     */
    static boolean refusesTheRecord(Throwable error) {
        return error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidTopicException || error instanceof InvalidTimestampException
                || error instanceof InvalidRecordException || error instanceof SerializationException
                || error instanceof IllegalArgumentException;
    }

    /** Hands one record to the producer; {@code false} when it must be tried again (Kafka away, producer failed). */
    private boolean send(OutRecord r) {
        long bytes = r.bytes();
        long order = sentCount++;
        if (inProducerBytes.getAndAdd(bytes) == 0) {
            lastAnswerNanos = System.nanoTime(); // after a quiet spell, Kafka is not late until it has had time
        }
        sending = r;
        refusedNow = null;
        try {
            producer.send(r.record(), (metadata, error) -> answered(r, order, bytes, error));
        } catch (InterruptException e) {
            inProducerBytes.addAndGet(-bytes);
            return false; // closing
        } catch (KafkaException | IllegalArgumentException e) {
            // Thrown rather than reported: a bad record, or a producer that cannot send any more.
            inProducerBytes.addAndGet(-bytes);
            if (refusesTheRecord(e) || stopping) {
                completed(r, refusesTheRecord(e) ? e : new BridgeStoppedException());
                return true;
            }
            broken = e;
            return false;
        } finally {
            sending = null;
        }
        if (refusedNow != null) {
            inProducerBytes.addAndGet(-bytes);
            if (!(refusedNow instanceof RetriableException)) {
                broken = refusedNow;
            } else if (reachable) {
                reachable = false;
                log.warn("Kafka cluster '{}' does not take records ({}); they wait, in order, up to the buffer's "
                        + "bound", cluster, refusedNow.getMessage());
            }
            return false;
        }
        if (!reachable) {
            reachable = true;
            log.info("Kafka cluster '{}' takes records again; {} wait", cluster, waitingRecords.get());
        }
        return true;
    }

    /** Kafka's answer for one record, on the producer's thread (or on the sender's, for a record refused at once). */
    private void answered(OutRecord r, long order, long bytes, Exception error) {
        if (error != null && !refusesTheRecord(error) && !stopping) {
            if (sending == r && Thread.currentThread() == thread) {
                // The producer could not even take it (no metadata, no room within max.block.ms): send() sees it.
                refusedNow = error;
                return;
            }
            inProducerBytes.addAndGet(-bytes);
            toResend.add(new Unanswered(order, r));
            if (broken == null) {
                broken = error;
            }
            LockSupport.unpark(thread);
            return;
        }
        inProducerBytes.addAndGet(-bytes);
        if (error == null) {
            backoffNanos = FIRST_BACKOFF_NANOS;
        }
        completed(r, stopping && error != null && !refusesTheRecord(error) ? new BridgeStoppedException() : error);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void completed(OutRecord r, Exception error) {
        settled(r);
        if (error == null) {
            long now = System.nanoTime();
            lastAnswerNanos = now;
            r.metrics().produced(r.record().value().length, now - r.receivedNanos());
            if (r.sent() != null) {
                r.sent().complete(null);
            }
            return;
        }
        if (error instanceof BridgeStoppedException) {
            if (r.sent() != null) {
                r.sent().completeExceptionally(error); // whoever waits is told; the record is not refused
            }
            return;
        }
        r.metrics().errors.increment();
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastRefusalLog > REFUSAL_LOG_EVERY_NANOS) { // racy by design: at worst one line more
            lastRefusalLog = now;
            refusedSinceLog.addAndGet(-refused);
            log.warn("Kafka cluster '{}' refused {} record(s), given up and counted in errors; the last, for topic "
                    + "'{}': {}", cluster, refused, r.record().topic(), error.toString());
        }
        if (r.sent() != null) {
            r.sent().completeExceptionally(error);
        }
    }

    /**
     * Stops: the records handed to the producer are flushed (for up to {@code timeout}); those still queued are
     * reported, and whoever waits for them is told.
     */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    void close(Duration timeout) {
        stopping = true;
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout);
        long left = 0;
        Unanswered u;
        while ((u = toResend.poll()) != null) {
            queue.addLast(u.record());
        }
        OutRecord r;
        while ((r = queue.pollFirst()) != null) {
            left++;
            if (r.sent() != null) {
                r.sent().completeExceptionally(new BridgeStoppedException());
            }
        }
        if (left > 0) {
            log.warn("{} records for Kafka cluster '{}' were still waiting when the bridge stopped", left, cluster);
        }
    }
}
