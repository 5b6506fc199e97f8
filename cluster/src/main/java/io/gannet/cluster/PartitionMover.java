package io.gannet.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the session partitions follow the members (ADR 16, step 3): once a node joins or leaves, each partition
 * belongs on other nodes ({@link SessionPartitions#target}), and this node does its part, once a second, from what
 * its copy of the metadata log says:
 * <ul>
 *   <li>a node in a partition's target that holds no copy starts an empty one, which waits for the leader;</li>
 *   <li>the partition's leader adds the target's new nodes to the group (Ratis's {@code setConfiguration} in
 *   {@code ADD} mode, which returns once they have caught up, from a snapshot or the log), then removes the nodes
 *   left out, handing its leadership to a target node first if it is one of them, and then proposes
 *   {@link MetadataChange.Placed} with the new copies;</li>
 *   <li>a node the log says holds no copy any more, and that is not in the target, deletes its copy.</li>
 * </ul>
 * Each step starts from what the group and the log are now, so a step cut short (a lost leadership, a node that is
 * not up yet, a timeout) is simply taken again at the next turn, by whichever node leads then. Adding before
 * removing keeps the partition's copies at least as many as before while it moves; Ratis's joint configuration
 * keeps each change safe on its own.
 */
final class PartitionMover implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionMover.class);
    private static final long TURN_MILLIS = 1000;
    /** How long a proposed placement may take to come back through the log before it is proposed again. */
    private static final long PLACED_RETRY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long a handover of the leadership may take. */
    private static final long TRANSFER_MILLIS = 10_000;

    private final String self;
    private final SessionPartitions partitions;
    private final ClusterMembers members;
    private final MetadataGroup group;
    private final ClusterTls tls;
    private final Consumer<MetadataChange> propose;
    private final BooleanSupplier caughtUp;
    private final IntConsumer copyStarted;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "gannet-partition-mover");
        t.setDaemon(true);
        return t;
    });
    /** Per partition, the placement last proposed and when; only the mover's thread uses them. */
    private final List<Set<String>> proposed = new ArrayList<>();
    private final long[] proposedAt = new long[SessionPartitions.COUNT];
    private final int[] transfers = new int[SessionPartitions.COUNT];
    private final long[] reopenedAt = new long[SessionPartitions.COUNT];
    /** The least time between two openings of one stopped copy. */
    private static final long REOPEN_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * @param propose     proposes a change to the metadata log
     * @param caughtUp    whether this node's copy of the metadata log is current: it acts on nothing older
     * @param copyStarted told when this node starts a copy of a partition it had none of
     */
    PartitionMover(String self, SessionPartitions partitions, ClusterMembers members, MetadataGroup group,
                   ClusterTls tls, Consumer<MetadataChange> propose, BooleanSupplier caughtUp,
                   IntConsumer copyStarted) {
        this.self = self;
        this.partitions = partitions;
        this.members = members;
        this.group = group;
        this.tls = tls;
        this.propose = propose;
        this.caughtUp = caughtUp;
        this.copyStarted = copyStarted;
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            proposed.add(Set.of());
        }
    }

    void start() {
        thread.scheduleWithFixedDelay(this::turn, TURN_MILLIS, TURN_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Partitions whose copies are not where the members say they belong, as this node sees it. */
    int moving() {
        List<String> ids = memberIds();
        int n = 0;
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            if (PartitionPlace.moving(partitions.copies(p), partitions.target(p, ids))) {
                n++;
            }
        }
        return n;
    }

    private List<String> memberIds() {
        return members.list().stream().map(ClusterMembers.Member::id).toList();
    }

    private void turn() {
        if (!caughtUp.getAsBoolean()) {
            return;
        }
        List<String> ids = memberIds();
        if (!ids.contains(self)) {
            return; // not added yet, or removed: this node places nothing
        }
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            try {
                turn(p, partitions.target(p, ids));
            } catch (IOException | RuntimeException e) {
                log.info("Session partition {}: a step of its move failed, tried again shortly: {}", p, e.toString());
            }
        }
    }

    private void turn(int p, List<String> target) throws IOException {
        RaftGroupId id = SessionPartitions.groupId(p);
        List<String> copies = partitions.copies(p);
        boolean hosts = group.hosts(id);
        if (!hosts && target.contains(self)) {
            if (copies.contains(self)) {
                // The log says this node holds a copy that is not running (a reopening failed halfway, or its
                // directory was lost): recovered from its directory if it has one.
                group.rejoin(RaftGroup.valueOf(id, peers(copies)));
            } else {
                group.joinEmpty(id);
            }
            log.info("Cluster node {} keeps a copy of session partition {} from now on; the partition's leader "
                    + "adds it to the group", self, p);
            copyStarted.accept(p);
            return;
        }
        if (hosts && !group.isAlive(id) && (target.contains(self) || copies.contains(self))) {
            reopen(p, id, copies);
            return;
        }
        if (hosts && !target.contains(self) && !copies.contains(self)) {
            group.leave(id);
            log.info("Cluster node {} deleted its copy of session partition {}: it is kept by {} now", self, p,
                    copies);
            return;
        }
        if (hosts && group.isLeader(id) && PartitionPlace.moving(copies, target)) {
            move(p, id, target);
        }
    }

    /**
     * Ratis closed this node's copy of partition {@code p}. A new copy that campaigns before its log holds the entry
     * that made it a member is found not to be one and closed (seen under load, after a long GC pause), and the
     * partition then ran on one copy fewer until the node restarted. It is opened again from its directory, as a
     * restart would, at most once every {@link #REOPEN_NANOS}: a copy closed for a state machine that fails
     * would only fail again.
     */
    private void reopen(int p, RaftGroupId id, List<String> copies) throws IOException {
        long now = System.nanoTime();
        if (reopenedAt[p] != 0 && now - reopenedAt[p] < REOPEN_NANOS) {
            return;
        }
        reopenedAt[p] = now;
        log.warn("Cluster node {}: its copy of session partition {} was stopped by Ratis; it is opened again from "
                + "its directory", self, p);
        group.reopen(RaftGroup.valueOf(id, peers(copies)));
    }

    /** This node leads partition {@code p}, whose copies are not {@code target} yet: the next step towards it. */
    private void move(int p, RaftGroupId id, List<String> target) throws IOException {
        List<RaftPeer> voters = group.voters(id);
        if (voters == null) {
            return; // a change of its configuration is under way
        }
        Set<String> voterIds = new HashSet<>();
        voters.forEach(v -> voterIds.add(v.getId().toString()));
        List<String> missing = target.stream().filter(n -> !voterIds.contains(n)).toList();
        if (!missing.isEmpty()) {
            log.info("Session partition {}: adding {} to its group {}; the call returns once they have caught up",
                    p, missing, voterIds);
            call(id, voters, "adding " + missing + " to session partition " + p, client -> client.admin()
                    .setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                            .setServersInNewConf(peers(missing))
                            .setMode(SetConfigurationRequest.Mode.ADD).build()));
            return;
        }
        if (!voterIds.equals(Set.copyOf(target))) {
            if (!target.contains(self)) {
                // Ratis closes a leader that removes itself; handing over first lets a node that stays do it. A
                // node of the target may be down: each try asks the next one.
                String next = target.get(transfers[p]++ % target.size());
                log.info("Session partition {}: this node leaves its group, and hands its leadership to {} first",
                        p, next);
                call(id, voters, "handing the leadership of session partition " + p + " to " + next, client -> client
                        .admin().transferLeadership(RaftPeerId.valueOf(next), TRANSFER_MILLIS));
                return;
            }
            log.info("Session partition {}: its group goes from {} to {}", p, voterIds, target);
            List<RaftPeer> next = voters.stream().filter(v -> target.contains(v.getId().toString())).toList();
            call(id, voters, "removing nodes from session partition " + p, client -> client.admin()
                    .setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                            .setServersInCurrentConf(voters).setServersInNewConf(next)
                            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build()));
            return;
        }
        long now = System.nanoTime();
        if (!proposed.get(p).equals(voterIds) || now - proposedAt[p] > PLACED_RETRY_NANOS) {
            proposed.set(p, Set.copyOf(voterIds));
            proposedAt[p] = now;
            propose.accept(new MetadataChange.Placed(p, target));
        }
    }

    private interface AdminCall {
        RaftClientReply call(RaftClient client) throws IOException;
    }

    private void call(RaftGroupId id, List<RaftPeer> voters, String what, AdminCall call) throws IOException {
        RaftClient client = MetadataGroup.newAdminClient(RaftGroup.valueOf(id, voters), group.id(), tls);
        try {
            RaftClientReply reply = call.call(client);
            if (!reply.isSuccess()) {
                throw new IOException(what + ": " + reply.getException());
            }
        } finally {
            MetadataGroup.closeClient(client, "session partition " + SessionPartitions.partitionOf(id));
        }
    }

    /** The Raft peers of member ids; a node that is no member any more has no address, and is left out. */
    private List<RaftPeer> peers(List<String> ids) {
        List<RaftPeer> peers = new ArrayList<>(ids.size());
        for (String n : ids) {
            ClusterMembers.Member m = members.get(n);
            if (m != null) {
                peers.add(MetadataGroup.peer(m.node()));
            }
        }
        return peers;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
