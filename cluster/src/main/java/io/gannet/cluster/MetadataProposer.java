package io.gannet.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the cluster, through the metadata group, which filters this node has subscribers for and which retained
 * messages its clients set. Changes are proposed
 * in the order they were made, by one thread, one Raft entry at a time holding every change that waited meanwhile:
 * a burst of subscriptions costs a few commits, not one each. While no majority can be reached the entry is tried
 * again until it commits, so no change is skipped and none overtakes another.
 */
final class MetadataProposer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataProposer.class);
    /** The most changes in one entry. */
    private static final int MAX_BATCH = 4096;
    /** About the most bytes in one entry: a burst of large retained messages goes in several. */
    private static final int MAX_BYTES = 4 << 20;
    /** How long one proposal may take before it is sent again. */
    private static final long PROPOSAL_TIMEOUT_SECONDS = 30;

    private final LinkedBlockingQueue<MetadataChange> pending = new LinkedBlockingQueue<>();
    /** Changes queued, and of those committed: a {@link #committed} barrier waits for the first count. */
    private long queued;
    private long committedCount;
    /** The log index of the last entry committed from here; guarded by {@link #barriers}. */
    private long committedIndex;
    /** Barriers by the count of changes they wait for, in the order they were asked for; guarded by itself. */
    private final java.util.ArrayDeque<Barrier> barriers = new java.util.ArrayDeque<>();

    private record Barrier(long after, CompletableFuture<Long> done) {
    }
    private final Function<byte[], CompletableFuture<Long>> propose;
    private final Thread thread;
    private volatile boolean closed;

    /** @param propose sends one entry to the group; completes with its log index when it is committed */
    MetadataProposer(String nodeId, Function<byte[], CompletableFuture<Long>> propose) {
        this.propose = propose;
        this.thread = new Thread(this::run, "gannet-cluster-routes-" + nodeId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues a change; the changes of one filter or topic are queued in the order they were made. */
    void propose(MetadataChange change) {
        synchronized (barriers) {
            queued++; // counted first: a change is never committed before it is counted
        }
        pending.add(change);
    }

    /**
     * Completes once every change queued so far is committed: what was announced is known to the cluster then, as
     * of the log index it completes with (each node knows it once its copy has applied that far). Never completes
     * if this node is closed first.
     */
    CompletableFuture<Long> committed() {
        synchronized (barriers) {
            if (committedCount >= queued) {
                return CompletableFuture.completedFuture(committedIndex);
            }
            Barrier b = new Barrier(queued, new CompletableFuture<>());
            barriers.add(b);
            return b.done();
        }
    }

    private void committed(int changes, long index) {
        List<CompletableFuture<Long>> passed = new ArrayList<>();
        long through;
        synchronized (barriers) {
            committedCount += changes;
            committedIndex = Math.max(committedIndex, index);
            through = committedIndex;
            while (!barriers.isEmpty() && barriers.peek().after() <= committedCount) {
                passed.add(barriers.poll().done());
            }
        }
        passed.forEach(f -> f.complete(through)); // outside the lock: what waits may run here
    }

    /** Changes not yet committed, for $SYS and for tests that wait for the cluster to agree. */
    int pending() {
        return pending.size();
    }

    private void run() {
        List<MetadataChange> batch = new ArrayList<>();
        while (!closed) {
            try {
                MetadataChange first = pending.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int bytes = first.estimatedBytes();
                MetadataChange next;
                while (batch.size() < MAX_BATCH && bytes < MAX_BYTES && (next = pending.poll()) != null) {
                    batch.add(next);
                    bytes += next.estimatedBytes();
                }
                long index = send(MetadataChange.encode(batch));
                if (index >= 0) {
                    committed(batch.size(), index);
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** @return whether the entry committed; false when this node closed first */
    /** @return the entry's log index once committed; -1 if this node closed first */
    private long send(byte[] entry) throws InterruptedException {
        boolean warned = false;
        while (!closed) {
            try {
                long index = propose.apply(entry).get(PROPOSAL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (warned) {
                    log.info("Routing changes reach the cluster again");
                }
                return index;
            } catch (ExecutionException | TimeoutException e) {
                if (!warned) {
                    log.warn("Routing changes cannot reach a majority of the cluster yet ({}); trying again",
                            e.getCause() == null ? e.toString() : e.getCause().toString());
                    warned = true;
                }
                TimeUnit.MILLISECONDS.sleep(500); // a back-off while the cluster has no leader, not a wait for one
            }
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
