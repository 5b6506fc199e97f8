package io.gannet.cluster;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What the cluster does about a node that died. The failure detector is Ratis's: the leader of the metadata group
 * reads how long each follower has not answered it, and past {@link #DOWN_AFTER_MILLIS} proposes that the node is
 * down (and, once it answers again, that it is up). Every node applies that in log order: the down node's routes are
 * dropped, and each node adopts, in the session partitions it leads, the sessions the down node owned
 * ({@link ReplicatedSessionStore#adopt}), so that they keep receiving and their wills go out, until their clients
 * come back on any node and claim them.
 *
 * <p>Adoption is tried on every tick for each (down node, partition led here) not yet done, so a partition whose
 * leader changes is adopted by its new leader. One thread, which may wait for Raft.
 */
final class NodeFailures implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeFailures.class);
    /**
     * How long a follower may stay silent before it is called down: several election timeouts, so that a loaded
     * machine's pause is not a failure, and well within the two seconds a client takes to be resumed elsewhere.
     */
    static final long DOWN_AFTER_MILLIS = 1500;
    private static final long TICK_MILLIS = 250;
    /** The longest a node just added may stay silent before it says it started. */
    static final long JOIN_GRACE_MILLIS = 30_000;
    /**
     * How long a node that just started may stay silent before its silence counts. A restarted node compiles its
     * code and catches up nine Raft groups at once: on two cores its heartbeats came 1.5 to 4 s late for about ten
     * seconds, it was found down and up again three times in seven seconds, and each time its routes were dropped
     * and its sessions adopted under its clients. A node that fails again this soon is found down this much later.
     */
    static final long STARTED_GRACE_MILLIS = 15_000;

    private final String self;
    private final Supplier<List<ServerRpcProto>> followers;
    private final Consumer<MetadataChange> propose;
    private final IntPredicate leads;
    private final BooleanSupplier caughtUp;
    private final ReplicatedSessionStore sessions;
    private final Runnable announceAgain;
    private final ScheduledExecutorService timer;
    /** When each node's last start was applied here ({@link System#nanoTime}): its silence counts from then. */
    private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
    /** Whether this node has once caught up with the log since it started: from then on, what it applies is news. */
    private volatile boolean live;
    /**
     * How far this node's copy of each partition had applied when the log said a node was down (or left): the basis
     * of the adoptions of its sessions. The partition refuses an adoption whose basis is older than the node's last
     * resumption there, so that a node restarted quickly keeps the sessions it just took back, even when the leader of
     * a partition gets round to adopting them only after that (a CI run lost a client's session that way: adopted
     * by a decision made after the node had resumed it, though the node had been found down before).
     */
    private final Map<String, long[]> downBasis = new ConcurrentHashMap<>();
    /** Nodes that left the cluster: adopted from like down ones, and never up again. */
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    /** Nodes the log says are down, as applied here. */
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    /** What this node proposed for a node and the log does not say yet, so that it proposes a change once. */
    private final Map<String, Boolean> proposed = new HashMap<>();
    private final Predicate<String> isMember;
    /** (down node, partition) pairs adopted here. */
    private final Set<String> adopted = new HashSet<>();

    /**
     * @param followers     the metadata group's followers with their silence, when this node leads it; else empty
     * @param leads         whether this node leads a session partition
     * @param caughtUp      whether this node has applied all of the metadata log it knows committed: a restarting
     *                      node replays old "down" entries, followed by their "up", and must not adopt on those
     * @param announceAgain tells the cluster this node's filters again: it was found down (or up again) while it
     *                      ran; nothing before its sessions are rebuilt at a start, which announces them all
     * @param isMember      whether the log has made a node a member: a server added to the Raft group by
     *                      {@code bin/gannet cluster add} is not one until its join commits, and holds nothing a
     *                      failure would have to take over
     */
    NodeFailures(String self, Supplier<List<ServerRpcProto>> followers, Consumer<MetadataChange> propose,
                 IntPredicate leads, BooleanSupplier caughtUp, ReplicatedSessionStore sessions,
                 Runnable announceAgain, Predicate<String> isMember) {
        this.self = self;
        this.isMember = isMember;
        this.followers = followers;
        this.propose = propose;
        this.leads = leads;
        this.caughtUp = caughtUp;
        this.sessions = sessions;
        this.announceAgain = announceAgain;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                new DefaultThreadFactory("gannet-cluster-failures-" + self, true));
    }

    void start() {
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The log said so; on Ratis's applying thread. */
    void applied(MetadataChange.Liveness change) {
        if (change.node().equals(self)) {
            // This node ran all along (a pause, a cut network), and the others dropped its routes: it tells them
            // again when it hears it was found down, not only when found up. Its own count of its filters did not
            // change, so nothing else would, and a session it takes back meanwhile would be routed to nobody
            // (AnnouncedRoutes).
            timer.execute(announceAgain);
            return;
        }
        if (change.down()) {
            downBasis.put(change.node(), partitionsApplied());
            if (down.add(change.node())) {
                say(Level.WARN, "Cluster node {} is down: its routes are dropped, and its persistent sessions are "
                        + "adopted by the leaders of their partitions", change.node());
            }
        } else if (down.remove(change.node())) {
            say(Level.INFO, "Cluster node {} answers again", change.node());
            timer.execute(() -> adopted.removeIf(pair -> pair.startsWith(change.node() + "/")));
        }
    }

    /**
     * The log says {@code node} started: a node that was found down is up, and its silence counts only from now.
     * Without this, a node killed and started again within the detection time was found down by the silence of its
     * killed run, after it had rebuilt its sessions, and the leaders of their partitions took them from under the
     * clients that had just resumed them. Its silence counts only after {@link #STARTED_GRACE_MILLIS}. On Ratis's
     * applying thread.
     */
    void started(String node) {
        if (node.equals(self)) {
            return;
        }
        startedAt.put(node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTED_GRACE_MILLIS));
        if (down.remove(node)) {
            say(Level.INFO, "Cluster node {} started again", node);
            timer.execute(() -> adopted.removeIf(pair -> pair.startsWith(node + "/")));
        }
    }

    /**
     * The log says {@code node} joined the cluster: it has caught up with the log, but starts its links, announcer
     * and listeners only as it applies its join, and says it started after that. Until then (at most
     * {@link #JOIN_GRACE_MILLIS}) its silence is not a failure: a node applying the whole log on a busy machine was
     * found down a second after it was added, and up again a moment later. On Ratis's applying thread.
     */
    void joined(String node) {
        if (!node.equals(self)) {
            startedAt.put(node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_GRACE_MILLIS));
        }
    }

    /**
     * The log says {@code node} left the cluster ({@code bin/gannet cluster remove}; a node that runs stops as it
     * applies its leave): as for a node found down, the leaders of the partitions adopt the sessions it owned, in
     * every partition again (what was adopted before it left is not its any more, and is not taken twice), and it is
     * never found up again. On Ratis's applying thread.
     */
    void left(String node) {
        if (node.equals(self)) {
            return;
        }
        gone.add(node);
        startedAt.remove(node);
        downBasis.put(node, partitionsApplied());
        if (down.add(node)) {
            say(Level.INFO, "Cluster node {} left the cluster: its persistent sessions are adopted by the leaders of "
                    + "their partitions", node);
        }
        timer.execute(() -> adopted.removeIf(pair -> pair.startsWith(node + "/")));
    }

    /**
     * Logs a change the log made, at {@code level} once this node has caught up with the log; at debug while it
     * replays old entries at its start (a restart, a node just added), whose news are long stale.
     */
    private void say(Level level, String message, String node) {
        log.atLevel(live ? level : Level.DEBUG).log(message, node);
    }

    private long[] partitionsApplied() {
        long[] applied = new long[SessionPartitions.COUNT];
        for (int p = 0; p < applied.length; p++) {
            applied[p] = sessions.appliedHere(p);
        }
        return applied;
    }

    /** Nodes the log says are down, not counting those that left; for $SYS. */
    int downCount() {
        return (int) down.stream().filter(n -> !gone.contains(n)).count();
    }

    private void tick() {
        if (!live && caughtUp.getAsBoolean()) {
            live = true;
        }
        try {
            detect();
            adopt();
        } catch (RuntimeException e) {
            log.warn("Watching the cluster's nodes failed this time: {}", e.toString());
        }
    }

    private void detect() {
        List<ServerRpcProto> silence = followers.get();
        if (silence.isEmpty()) {
            return;
        }
        for (ServerRpcProto f : silence) {
            String node = f.getId().getId().toStringUtf8();
            if (!isMember.test(node)) {
                continue;
            }
            Long started = startedAt.get(node);
            boolean silent = f.getLastRpcElapsedTimeMs() > DOWN_AFTER_MILLIS && (started == null
                    || System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(DOWN_AFTER_MILLIS));
            if (silent == down.contains(node)) {
                proposed.remove(node); // the log agrees
            } else if (!Boolean.valueOf(silent).equals(proposed.get(node))) {
                proposed.put(node, silent);
                if (silent) {
                    log.warn("Cluster node {} has not answered for {} ms: proposing that it is down", node,
                            f.getLastRpcElapsedTimeMs());
                }
                propose.accept(new MetadataChange.Liveness(node, silent));
            }
        }
    }

    private void adopt() {
        if (down.isEmpty() || !caughtUp.getAsBoolean()) {
            return;
        }
        for (String node : down) {
            for (int p = 0; p < SessionPartitions.COUNT; p++) {
                String pair = node + "/" + p;
                if (adopted.contains(pair) || !leads.test(p)) {
                    continue;
                }
                try {
                    long[] basis = downBasis.get(node);
                    sessions.adopt(node, p, basis != null ? basis[p] : sessions.appliedHere(p));
                    adopted.add(pair);
                    // After the adopted sessions' filters, through the same proposer: in that order in the log.
                    propose.accept(new MetadataChange.Adopted(self, node, p));
                } catch (Exception e) {
                    log.warn("Adopting the sessions of node {} in session partition {} failed; trying again: {}",
                            node, p, e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
