package io.gannet.plugin.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
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
 * window of a quarter of it (at most 16 MiB) is handed to the producer at a time, so that most of what waits
 * stays here, where {@code drop-oldest} can still drop it.
 */
final class KafkaSender implements AutoCloseable {
    /** How long one attempt to hand a record to the producer may block the sender thread; then it tries again. */
    private static final Duration MAX_BLOCK = Duration.ofSeconds(2);

    private final String cluster;
    private final Producer<byte[], byte[]> producer;
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
    /** The record being handed to the producer, and whether the producer refused it at once; sender thread only. */
    private OutRecord sending;
    private Exception refusedNow;

    KafkaSender(BridgeConfig.Cluster cluster, long maxWaitingBytes, Logger log) {
        this.cluster = cluster.name();
        this.log = log;
        this.maxWaitingBytes = maxWaitingBytes;
        this.producerWindowBytes = Math.min(16L << 20, maxWaitingBytes / 4);
        Map<String, Object> props = new java.util.HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "gannet-bridge-" + cluster.name());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE); // an outage delays, never drops
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
        props.putAll(cluster.properties());
        this.producer = withPluginClassLoader(() -> new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer()));
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

    /** Queues a record; the caller checked {@link #hasRoom} or made room. Never blocks. */
    void add(OutRecord r) {
        waitingBytes.addAndGet(r.bytes());
        waitingRecords.incrementAndGet();
        queue.addLast(r);
        if (parked) {
            LockSupport.unpark(thread);
        }
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

    /** Hands one record to the producer; {@code false} when Kafka is away and it must be tried again. */
    private boolean send(OutRecord r) {
        long bytes = r.bytes();
        inProducerBytes.addAndGet(bytes);
        sending = r;
        refusedNow = null;
        try {
            producer.send(r.record(), (metadata, error) -> {
                // The producer reports a record it could not even take (no metadata, no room in its buffer within
                // max.block.ms) through the callback, at once, on this thread: that record is tried again.
                if (sending == r && error instanceof RetriableException && Thread.currentThread() == thread) {
                    refusedNow = error;
                    return;
                }
                inProducerBytes.addAndGet(-bytes);
                completed(r, error);
                if (parked) {
                    LockSupport.unpark(thread);
                }
            });
        } catch (InterruptException e) {
            inProducerBytes.addAndGet(-bytes);
            return false; // closing
        } catch (KafkaException | IllegalArgumentException e) {
            // Not retriable and thrown rather than reported: a bad record. Counted, and its publisher told.
            inProducerBytes.addAndGet(-bytes);
            completed(r, e);
            return true;
        } finally {
            sending = null;
        }
        if (refusedNow != null) {
            inProducerBytes.addAndGet(-bytes);
            if (reachable) {
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

    private void completed(OutRecord r, Exception error) {
        settled(r);
        if (error == null) {
            r.metrics().produced(r.record().value().length, System.nanoTime() - r.receivedNanos());
            if (r.sent() != null) {
                r.sent().complete(null);
            }
            return;
        }
        r.metrics().errors.increment();
        if (r.sent() != null) {
            r.sent().completeExceptionally(error);
        } else {
            log.warn("A record for Kafka topic '{}' was not accepted by cluster '{}' and is lost: {}",
                    r.record().topic(), cluster, error.toString());
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
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout);
        long left = 0;
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
