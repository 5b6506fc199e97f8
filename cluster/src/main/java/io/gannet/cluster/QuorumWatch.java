package io.gannet.cluster;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log when this node loses its majority and when it has one again, once each: an operator reads the
 * moment a node was cut off without Ratis's retries in the log. {@code $SYS/broker/cluster/quorum} has the same.
 */
final class QuorumWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuorumWatch.class);
    /** How long without a leader before it is said: an election takes well under this. */
    private static final long GRACE_MILLIS = 5_000;

    private final String nodeId;
    private final BooleanSupplier hasLeader;
    private final ScheduledExecutorService timer;
    private long leaderlessSince;
    private boolean reported;
    private boolean everHadLeader;

    QuorumWatch(String nodeId, BooleanSupplier hasLeader) {
        this.nodeId = nodeId;
        this.hasLeader = hasLeader;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("gannet-cluster-quorum-" + nodeId, true));
    }

    void start() {
        leaderlessSince = System.nanoTime();
        timer.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
    }

    private void check() {
        long now = System.nanoTime();
        if (hasLeader.getAsBoolean()) {
            if (reported) {
                log.info("Cluster node {} is part of a majority again", nodeId);
            } else if (!everHadLeader) {
                log.info("Cluster node {} joined a majority of the cluster", nodeId);
            }
            everHadLeader = true;
            reported = false;
            leaderlessSince = now;
        } else if (!reported && TimeUnit.NANOSECONDS.toMillis(now - leaderlessSince) >= GRACE_MILLIS) {
            reported = true;
            log.warn("Cluster node {} cannot reach a majority of the cluster: it serves its own clients, and its "
                    + "subscription and retained changes wait until it can", nodeId);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
