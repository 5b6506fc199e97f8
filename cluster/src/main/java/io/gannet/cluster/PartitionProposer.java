package io.gannet.cluster;

import io.gannet.persistence.JournalOp;
import io.gannet.persistence.JournalSink;
import io.gannet.persistence.SessionBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import io.netty.util.internal.PlatformDependent;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the events of this node's persistent sessions to their partitions' Raft groups. The event loops hand
 * events to a partition's {@link Sink} and go on; one thread turns all that waits for a partition into one Raft
 * entry, with at most one entry per partition in flight, and completes what the entry's events wait for (a
 * publisher's acknowledgement) when a majority of the partition has committed it.
 *
 * <p>Why entries are batches: one Ratis client commits about 130 entries a second here (ADR 16), so an entry per
 * message would cap a partition at that. One entry in flight per partition keeps the events of a session in order
 * and lets the next entry gather everything that arrived during the commit.
 */
final class PartitionProposer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionProposer.class);
    /** About the most record bytes in one entry; a larger single event makes an entry of its own. */
    private static final int MAX_ENTRY_BYTES = 1 << 20;
    /** The most events in one entry. */
    private static final int MAX_ENTRY_EVENTS = 8192;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String node;
    private final Partition[] partitions;
    private final Thread thread;
    private final SessionBatch batch = new SessionBatch();
    private final LongAdder entries = new LongAdder();
    private final LongAdder events = new LongAdder();
    private volatile boolean parked;
    private volatile boolean running = true;

    /** A session's claim by this node: its partition records this node as the owner from the entry on. */
    private record Claim(String clientId) {
    }

    /** What the event loops hand one partition, and its entry in flight. */
    private final class Partition {
        final int number;
        final RaftClient client;
        final Queue<Object> pending = PlatformDependent.newMpscQueue();
        final Sink sink = new Sink(this);
        volatile boolean inFlight;

        Partition(int number, RaftClient client) {
            this.number = number;
            this.client = client;
        }
    }

    /** A partition's entrance: the {@link JournalSink} of the sessions whose client ids hash to it. */
    final class Sink implements JournalSink {
        private final Partition partition;

        private Sink(Partition partition) {
            this.partition = partition;
        }

        /** From the next entry on, this node owns the session of {@code clientId}. */
        void claim(String clientId) {
            offer(new Claim(clientId));
        }

        @Override
        public void submit(JournalOp op) {
            offer(op);
        }

        @Override
        public CompletableFuture<Void> admit() {
            return new CompletableFuture<>();
        }

        private void offer(Object item) {
            partition.pending.offer(item);
            // With an entry in flight its completion wakes the thread; waking it for each event would cost a
            // context switch per message on a shared core.
            if (parked && !partition.inFlight) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** @param clients the Raft client of each partition's group */
    PartitionProposer(String node, IntFunction<RaftClient> clients) {
        this.node = node;
        this.partitions = new Partition[SessionPartitions.COUNT];
        for (int p = 0; p < partitions.length; p++) {
            partitions[p] = new Partition(p, clients.apply(p));
        }
        this.thread = new Thread(this::run, "gannet-cluster-sessions-" + node);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Sink sink(int partition) {
        return partitions[partition].sink;
    }

    /** Entries committed and events in them, for $SYS. */
    long entries() {
        return entries.sum();
    }

    long events() {
        return events.sum();
    }

    private void run() {
        while (running) {
            boolean worked = false;
            for (Partition p : partitions) {
                if (!p.inFlight && !p.pending.isEmpty()) {
                    propose(p);
                    worked = true;
                }
            }
            if (!worked) {
                parked = true;
                if (running && nothingToPropose()) { // checked after announcing the park, so no offer is missed
                    LockSupport.parkNanos(this, IDLE_NANOS);
                }
                parked = false;
            }
        }
    }

    private boolean nothingToPropose() {
        for (Partition p : partitions) {
            if (!p.inFlight && !p.pending.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Turns what waits for {@code p} into one entry and sends it. */
    private void propose(Partition p) {
        List<String> claims = new ArrayList<>();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        batch.clear();
        int n = 0;
        Object item;
        while (n < MAX_ENTRY_EVENTS && batch.length() < MAX_ENTRY_BYTES && (item = p.pending.poll()) != null) {
            if (item instanceof Claim c) {
                claims.add(c.clientId());
            } else {
                JournalOp op = (JournalOp) item;
                batch.add(op);
                CompletableFuture<Void> done = op.done();
                if (done != null) {
                    waiting.add(done);
                }
            }
            n++;
        }
        byte[] header = PartitionEntry.header(node, claims);
        ByteString entry = ByteString.copyFrom(header).concat(ByteString.copyFrom(batch.array(), 0, batch.length()));
        int count = n;
        p.inFlight = true;
        p.client.async().send(Message.valueOf(entry)).whenComplete((reply, error) -> {
            Throwable failed = error != null ? error : reply.isSuccess() ? null : reply.getException();
            if (failed != null) {
                log.warn("Session partition {}: an entry of {} events failed: {}", p.number, count, failed.toString());
            } else {
                entries.increment();
                events.add(count);
            }
            for (CompletableFuture<Void> f : waiting) {
                if (failed == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failed);
                }
            }
            p.inFlight = false;
            if (parked) {
                LockSupport.unpark(thread);
            }
        });
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Partition p : partitions) {
            try {
                p.client.close();
            } catch (IOException e) {
                log.debug("Closing the client of session partition {}: {}", p.number, e.toString());
            }
        }
    }
}
