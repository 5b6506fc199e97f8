package io.gannet.cluster;

import io.gannet.persistence.JournalOp;
import io.gannet.persistence.JournalSink;
import io.gannet.persistence.SessionBatch;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Queue;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
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
    /** How long a stopping node waits for what its sessions said last (their disconnections) to reach the partitions. */
    private static final long DRAIN_SECONDS = 5;

    /** What waits for an event of a session another node took over: the publisher learns that it was not kept. */
    private static final IllegalStateException MOVED = new IllegalStateException("the session was taken over by "
            + "another node of the cluster");

    private final String node;
    private final Partition[] partitions;
    private final Thread thread;
    private final SessionBatch batch = new SessionBatch();
    private final LongAdder entries = new LongAdder();
    private final LongAdder events = new LongAdder();
    private volatile boolean parked;
    private volatile boolean running = true;
    /** Set by {@link #close}: completed by the proposing thread once nothing waits and nothing is in flight. */
    private volatile CompletableFuture<Void> drained;
    /** Hears of each session whose events a partition refused: another node owns it now. */
    private volatile Consumer<String> moved = clientId -> { };
    private final PartitionClients clients;


    /** What the event loops hand one partition, and its entry in flight. */
    private final class Partition {
        final int number;
        final Queue<Object> pending = PlatformDependent.newMpscQueue();
        final Sink sink = new Sink(this);
        volatile boolean inFlight;

        Partition(int number) {
            this.number = number;
        }
    }

    /** A takeover of a session for a client that connected here, with what waits for the partition's answer. */
    private record Takeover(String clientId, CompletableFuture<byte[]> answer) {
    }

    /** A partition's entrance: the {@link JournalSink} of the sessions whose client ids hash to it. */
    final class Sink implements JournalSink {
        private final Partition partition;

        private Sink(Partition partition) {
            this.partition = partition;
        }

        /**
         * From the next entry on, this node owns the session of {@code clientId}, which its client created here
         * ({@code fresh}: it started clean) or resumed.
         */
        void claim(String clientId, boolean fresh) {
            offer(new PartitionEntry.Claim(clientId, fresh));
        }

        /**
         * Takes the session of {@code clientId} over for this node, in the next entry with everything else that
         * waits: a storm of clients resuming after a node died costs an entry per partition, not one each.
         *
         * @return the partition's answer: the owner before and the session's records
         */
        CompletableFuture<byte[]> takeover(String clientId) {
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            offer(new Takeover(clientId, answer));
            return answer;
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

    /** @param clients the Raft clients of the partitions' groups */
    PartitionProposer(String node, PartitionClients clients) {
        this.node = node;
        this.clients = clients;
        this.partitions = new Partition[SessionPartitions.COUNT];
        for (int p = 0; p < partitions.length; p++) {
            partitions[p] = new Partition(p);
        }
        this.thread = new Thread(this::run, "gannet-cluster-sessions-" + node);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Who hears, on a Ratis client thread, of a session a partition said another node owns now. Set before start. */
    void onMoved(Consumer<String> listener) {
        this.moved = listener;
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
            CompletableFuture<Void> closing = drained;
            if (closing != null && nothingPendingOrInFlight()) {
                closing.complete(null);
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

    private boolean nothingPendingOrInFlight() {
        for (Partition p : partitions) {
            if (p.inFlight || !p.pending.isEmpty()) {
                return false;
            }
        }
        return true;
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
        List<PartitionEntry.Claim> claims = new ArrayList<>();
        List<Takeover> takeovers = new ArrayList<>();
        List<JournalOp> waiting = new ArrayList<>();
        batch.clear();
        int n = 0;
        Object item;
        while (n < MAX_ENTRY_EVENTS && batch.length() < MAX_ENTRY_BYTES && (item = p.pending.poll()) != null) {
            if (item instanceof PartitionEntry.Claim c) {
                claims.add(c);
            } else if (item instanceof Takeover t) {
                takeovers.add(t);
            } else {
                JournalOp op = (JournalOp) item;
                batch.add(op);
                if (op.done() != null) {
                    waiting.add(op);
                }
            }
            n++;
        }
        byte[] header = PartitionEntry.eventsHeader(node, takeovers.stream().map(Takeover::clientId).toList(), claims);
        ByteString entry = ByteString.copyFrom(header).concat(ByteString.copyFrom(batch.array(), 0, batch.length()));
        int count = n;
        p.inFlight = true;
        clients.send(p.number, Message.valueOf(entry)).whenComplete((reply, error) -> {
            Throwable failed = error != null ? error : reply.isSuccess() ? null : reply.getException();
            Map<Long, String> refused = Map.of();
            if (failed != null) {
                log.warn("Session partition {}: an entry of {} events failed: {}", p.number, count, failed.toString());
                takeovers.forEach(t -> t.answer().completeExceptionally(failed));
            } else {
                entries.increment();
                events.add(count);
                try {
                    refused = answered(reply.getMessage().getContent().toByteArray(), takeovers);
                } catch (IllegalArgumentException e) {
                    log.error("Session partition {}: an unreadable answer: {}", p.number, e.getMessage());
                    takeovers.forEach(t -> t.answer().completeExceptionally(e));
                }
            }
            for (JournalOp op : waiting) {
                if (failed != null) {
                    op.done().completeExceptionally(failed);
                } else if (refused.containsKey(op.key())) {
                    op.done().completeExceptionally(MOVED);
                } else {
                    op.done().complete(null);
                }
            }
            // The partition says another node owns these sessions now. A member of the partition heard so as it
            // applied the takeover; a node that is not one (more nodes than copies) learns it here.
            refused.values().forEach(moved);
            p.inFlight = false;
            if (parked) {
                LockSupport.unpark(thread);
            }
        });
    }

    /** Hands each takeover its answer; returns the keys and client ids of the sessions whose events were refused. */
    private static Map<Long, String> answered(byte[] answer, List<Takeover> takeovers) {
        if (answer.length == 0) {
            if (!takeovers.isEmpty()) {
                throw new IllegalArgumentException("no answer for " + takeovers.size() + " takeovers");
            }
            return Map.of();
        }
        PartitionEntry.Reader in = new PartitionEntry.Reader(answer, 0, answer.length);
        int count = in.count();
        if (count != takeovers.size()) {
            throw new IllegalArgumentException(count + " takeover answers for " + takeovers.size() + " takeovers");
        }
        for (Takeover t : takeovers) {
            t.answer().complete(in.block());
        }
        Map<Long, String> refused = new HashMap<>();
        while (in.hasMore()) {
            refused.put(in.number(), in.string());
        }
        return refused;
    }

    /**
     * Sends what the sessions said last (a stopping broker's disconnections, the end of its clean sessions' kept
     * wills) and waits a bounded time for the partitions to commit it, then stops.
     */
    @Override
    public void close() {
        CompletableFuture<Void> closing = new CompletableFuture<>();
        drained = closing;
        LockSupport.unpark(thread);
        try {
            closing.get(DRAIN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("The session partitions did not take this node's last session events within {} s: {}",
                    DRAIN_SECONDS, e.toString());
        }
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.close();
    }
}
