package io.gannet.cluster;

import io.gannet.broker.cluster.ClusterNode;
import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.ConfigSchema;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.session.SubscriptionIndex;
import io.gannet.broker.store.RetainedJournal;
import io.gannet.broker.store.SessionStore;
import io.gannet.broker.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker as a node of the cluster: the metadata group on Ratis with the routing table it replicates, the
 * announcer that keeps this node's entries in it, and the links that carry messages between nodes.
 */
final class GannetCluster implements ClusterNode {
    private static final Logger log = LoggerFactory.getLogger(GannetCluster.class);
    /** Room in a link frame beyond the largest MQTT packet: the frame's own fields. */
    private static final int FRAME_OVERHEAD = 64 * 1024;

    private final ClusterConfig config;
    private final ClusterTls tls;
    private final RoutingTable table;
    /** How far this node's copy of the metadata log, and so its routing table, has applied. */
    private final AppliedIndex applied = new AppliedIndex();
    /** Whether this node's table holds what each other node announced: its word on its routes waits for it. */
    private final AnnouncedRoutes announcedRoutes = new AnnouncedRoutes(applied);
    /** The persistent sessions' filters that left this node lately, for messages routed by older routes. */
    private final DepartedFilters departed;
    private final MetadataStateMachine stateMachine;
    private final MetadataGroup group;
    private final MetadataProposer announcer;
    private final ReplicatedRetained retained;
    private final LinkCounters counters = new LinkCounters();
    private final NodeLinks links;
    /** The nodes as the metadata log has them: the founding ones, then those that joined. */
    private final ClusterMembers members;
    private final LinkServer server;
    private final QuorumWatch quorum;
    private final SessionPartitions partitions;
    /** This node's copy of each partition, the current one: a copy deleted and started again is a new instance. */
    private final AtomicReferenceArray<PartitionStateMachine> partitionMachines =
            new AtomicReferenceArray<>(SessionPartitions.COUNT);
    private final PartitionClients partitionClients;
    private final PartitionProposer proposer;
    private final ReplicatedSessionStore sessions;
    private final NodeFailures failures;
    private final PartitionMover mover;
    /** Whether this node ran before this start: then Ratis recovers its copies of the partitions itself. */
    private final boolean ranBefore;
    private ClusterSubscriptions subscriptions;
    private LocalRouter local;
    /** Asks the broker to stop: the log removed this node. */
    private volatile Runnable removed = () -> { };
    /**
     * Whether this run's sessions are rebuilt and their filters announced ({@link #recovered}): until then the log
     * may say this node was found down or up (old entries replayed at a start, or a slow start), and a set of
     * filters read then would lack the sessions still to come back, and drop their routes.
     */
    private volatile boolean sessionsRebuilt;
    /** Completes when the log makes this node a member; for a joined node, which waits for it at its start. */
    private final CompletableFuture<Void> added = new CompletableFuture<>();
    /** How often a joined node that waits to be added says so. */
    private static final long ADD_WAIT_LOG_SECONDS = 30;

    GannetCluster(ClusterConfig config, Path directory, ClusterTls tls, int maxPacketSize, Clock clock) {
        this.config = config;
        this.tls = tls;
        // The founding nodes' places are their order; a joined node's place is its turn in the log, which the
        // routing table learns as it applies the node's Join.
        List<ClusterConfig.Node> founding = config.founding();
        List<NodeRef> refs = new ArrayList<>();
        for (int i = 0; i < founding.size(); i++) {
            refs.add(new NodeRef(founding.get(i).id(), i));
        }
        this.table = new RoutingTable(refs);
        this.departed = new DepartedFilters(clock::millis);
        this.announcer = new MetadataProposer(config.nodeId(), this::propose);
        this.retained = new ReplicatedRetained(config.nodeId(), announcer);
        this.members = new ClusterMembers(founding);
        this.partitions = new SessionPartitions(founding, config.replicationFactor());
        this.stateMachine = new MetadataStateMachine(table, retained, members, partitions, this::nodeChangeApplied,
                applied, announcedRoutes);
        // First in the log from this run: the leader does not take the silence of an earlier run for a failure.
        announcer.propose(new MetadataChange.Started(config.nodeId()));
        this.partitionClients = new PartitionClients(partitions, this::addressOf, tls);
        this.proposer = new PartitionProposer(config.nodeId(), partitionClients);
        // A node that ran before this start may own sessions in the partitions (a joined node too, which keeps no
        // copy of them); a new one owns none yet.
        this.ranBefore = Files.isDirectory(directory.resolve(MetadataGroup.GROUP_ID.getUuid().toString()));
        this.sessions = new ReplicatedSessionStore(config.nodeId(), config.nodes().indexOf(config.self()), proposer,
                partitionClients, ranBefore,
                this::partitionApplied,
                this::tellMoved, announcer::committed, announcedRoutes, this::tellConnected);
        try {
            Files.createDirectories(directory);
            this.group = new MetadataGroup(config, directory, tls, stateMachine, id -> {
                int p = SessionPartitions.partitionOf(id);
                if (p < 0) {
                    throw new IllegalStateException("the Raft directory " + directory + " holds group " + id
                            + ", which this version does not know");
                }
                // Ratis asks once for each copy it starts: a copy deleted and started again gets a fresh machine.
                PartitionStateMachine machine = new PartitionStateMachine(p, config.nodeId(), sessions);
                partitionMachines.set(p, machine);
                return machine;
            });
        } catch (IOException e) {
            throw new ConfigException("cluster.directory: cannot use " + directory + ": " + e.getMessage(), e);
        }
        this.links = new NodeLinks(config, tls, clock, counters);
        this.server = new LinkServer(config, tls, maxPacketSize + FRAME_OVERHEAD, clock, counters, sessions,
                topic -> subscriptions != null && subscriptions.hasDurableSubscriber(topic), departed);
        this.quorum = new QuorumWatch(config.nodeId(), group::hasLeader);
        this.failures = new NodeFailures(config.nodeId(),
                () -> group.followers(2 * NodeFailures.DOWN_AFTER_MILLIS), announcer::propose,
                p -> group.isLeader(SessionPartitions.groupId(p)), group::caughtUp, sessions,
                this::announceAgain, id -> members.get(id) != null);
        this.mover = new PartitionMover(config.nodeId(), partitions, members, group, tls, announcer::propose,
                group::caughtUp, sessions::copyStarted);
    }

    /**
     * How far this node's copy of partition {@code p} has applied its log. A partition this node keeps no copy of
     * applies nothing here, so no takeover there is ever stale: {@link Long#MAX_VALUE}. So for a copy that Ratis
     * closed after an error, which hears of no takeover any more.
     */
    private long partitionApplied(int p) {
        PartitionStateMachine machine = partitionMachines.get(p);
        return machine != null && group.isAlive(SessionPartitions.groupId(p)) ? machine.appliedIndex()
                : Long.MAX_VALUE;
    }

    /** The metadata log says a node joined, left, is down, up again or started; on Ratis's applying thread. */
    private void nodeChangeApplied(MetadataChange change) {
        if (change instanceof MetadataChange.Join join) {
            ClusterMembers.Member m = members.get(join.node());
            if (m != null) {
                checkListedAt(m);
                server.allow(m.id());
                links.join(m.place(), m.node());
                failures.joined(m.id());
                if (m.id().equals(config.nodeId())) {
                    added.complete(null);
                }
            }
        } else if (change instanceof MetadataChange.Leave leave) {
            if (leave.node().equals(config.nodeId())) {
                // Also when a restart replays it: a node removed from the cluster does not serve again until its
                // directory is cleared and it is added anew.
                log.warn("Cluster node {} was removed from the cluster (bin/gannet cluster remove): it stops, and its "
                        + "clients resume their sessions on the other nodes", config.nodeId());
                removed.run();
            }
            failures.left(leave.node());
            server.forget(leave.node());
            int place = table.node(leave.node()).index();
            if (place >= 0) {
                links.leave(place);
            }
        } else if (change instanceof MetadataChange.Started started) {
            failures.started(started.node());
        } else if (change instanceof MetadataChange.Liveness liveness) {
            failures.applied(liveness);
            int index = nodeIndex(liveness.node());
            if (liveness.down() && index >= 0) {
                links.reset(index);
            }
        }
    }

    /** Where node {@code id} is: as the log has it, or as {@code cluster.nodes} lists it; {@code null} if unknown. */
    private ClusterConfig.Node addressOf(String id) {
        ClusterMembers.Member m = members.get(id);
        return m != null ? m.node()
                : config.nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElse(null);
    }

    /** The Raft peers of the listed nodes of {@code ids}. */
    private List<org.apache.ratis.protocol.RaftPeer> listedPeers(List<String> ids) {
        return MetadataGroup.peers(config.nodes().stream().filter(n -> ids.contains(n.id())).toList());
    }

    /** The place of node {@code id} in the cluster, or -1 for a node that is not a member. */
    private int nodeIndex(String id) {
        return table.node(id).index();
    }

    /**
     * A joined node listed in {@code cluster.nodes} must be there at the place the log gave it: this node's links
     * and routes used the list's order from its start. A mismatch is the operator's to fix; for this node itself it
     * stops the start ({@link #awaitAdded}).
     */
    private void checkListedAt(ClusterMembers.Member m) {
        int listed = config.nodes().stream().map(ClusterConfig.Node::id).toList().indexOf(m.id());
        if (listed >= 0 && listed != m.place()) {
            String problem = ConfigSchema.CLUSTER_NODES.path() + "[" + listed + "]: node " + m.id() + " joined the "
                    + "cluster as its node number " + (m.place() + 1) + "; list the joined nodes in the order they "
                    + "joined, after the founding ones";
            log.error("Cluster node {}: {}", config.nodeId(), problem);
            if (m.id().equals(config.nodeId())) {
                added.completeExceptionally(new ConfigException(problem));
            }
        }
    }

    /**
     * A joined node waits, before it links to the others or says anything to the cluster, until the metadata log has
     * made it a member ({@code bin/gannet cluster add}); its MQTT listeners open only after that.
     */
    private void awaitAdded() throws InterruptedException {
        long since = System.nanoTime();
        while (members.get(config.nodeId()) == null && !added.isDone()) {
            log.info("Cluster node {} waits to be added to the cluster ({} s so far): run bin/gannet cluster add "
                    + "{} {} {} {} on a member", config.nodeId(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since), config.nodeId(),
                    config.self().host(), config.self().port(), config.self().raftPort());
            try {
                added.get(ADD_WAIT_LOG_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // still waiting: said again
            } catch (ExecutionException e) {
                break; // the place it was given does not match the list: thrown below
            }
        }
        ClusterMembers.Member self = members.get(config.nodeId());
        if (self != null) {
            checkListedAt(self); // also when the membership came with a snapshot, which applies no Join
        }
        if (added.isCompletedExceptionally()) {
            try {
                added.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        }
    }

    /**
     * This node hosts the session of {@code clientId}, which it took over from {@code oldOwner}, and its routes are
     * committed: the old owner may let go of it. (A member of the session's partition heard of the takeover as it
     * applied it; any other hears of it here first.)
     */
    private void tellMoved(String oldOwner, String clientId, long routesAt) {
        int index = nodeIndex(oldOwner);
        if (index >= 0) {
            links.moved(index, clientId, routesAt);
        }
    }

    /** A client connected here: every other node hears of it, and closes an older connection of its client id. */
    private void tellConnected(String clientId, long atMillis, boolean newSession) {
        links.connected(clientId, atMillis, newSession);
    }

    /** Proposes an entry to the metadata group; completes with its log index once committed. */
    private CompletableFuture<Long> propose(byte[] entry) {
        return group.propose(entry).thenApply(org.apache.ratis.protocol.RaftClientReply::getLogIndex);
    }

    @Override
    public void onRemoved(Runnable stopBroker) {
        this.removed = stopBroker;
    }

    @Override
    public SessionStore sessions(SessionStore local) {
        return sessions; // this node's own store keeps no session: the partitions do
    }

    @Override
    public RetainedJournal retainedJournal(RetainedJournal local) {
        return retained.wrapping(local);
    }

    @Override
    public void retainedStore(RetainedStore store) {
        retained.attach(store);
    }

    @Override
    public SubscriptionIndex subscriptions(SubscriptionIndex localIndex) {
        subscriptions = new ClusterSubscriptions(localIndex, config.nodeId(), announcer, departed, applied);
        return subscriptions;
    }

    @Override
    public MessageRouter router(LocalRouter localRouter) {
        this.local = localRouter;
        return new ClusterRouter(localRouter, table, applied, links, config.nodes().indexOf(config.self()));
    }

    @Override
    public void start(EventLoopGroup workers, Transport transport) {
        if (local == null || subscriptions == null) {
            throw new IllegalStateException("the broker wraps its router and index before it starts the cluster");
        }
        try {
            server.start(workers, transport, local);
            group.start();
            if (config.self().joined()) {
                awaitAdded();
            }
            // A founding node forms the founding placement's groups at its first start; at a later one Ratis has
            // recovered its copies from its directory (one that never got its first entry is formed again), and
            // the mover starts any other the members now put here.
            for (int p = 0; p < SessionPartitions.COUNT; p++) {
                RaftGroupId id = SessionPartitions.groupId(p);
                if (partitions.isMember(config.nodeId(), p) && (!ranBefore || group.hosts(id))) {
                    group.join(RaftGroup.valueOf(id, listedPeers(partitions.copies(p))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cluster node " + config.nodeId() + " could not start Raft on port "
                    + config.self().raftPort() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the cluster node", e);
        }
        links.start(workers, transport);
        announcer.start();
        proposer.start();
        failures.start();
        mover.start();
        quorum.start();
        log.info("Cluster node {} started: {} nodes, Raft on {}:{}, {}", config.nodeId(), members.list().size(),
                config.self().host(), config.self().raftPort(), tls.isOn() ? "mutual TLS between nodes" : "plain");
        if (!tls.isOn()) {
            log.warn("Cluster node {}: its link and Raft ports take any connection, unencrypted; on a network you do "
                    + "not trust, set cluster.tls-certificate, tls-private-key and tls-trust", config.nodeId());
        }
    }

    /**
     * What the log says this node had before a restart is stale (its clean sessions are gone), but its routes are
     * replaced only now, by what its recovered sessions subscribed to. Dropped at the start, the routes of the
     * sessions it still owns would be missing until they are back, and messages for them would be acknowledged with
     * nobody to keep them (a rolling restart lost hundreds that way); kept, a message for one fails instead.
     */
    @Override
    public void recovered() {
        sessionsRebuilt = true;
        subscriptions.announceAll();
    }

    /** The log says this node was found down, or up again, while it ran: the others dropped its routes. */
    private void announceAgain() {
        if (sessionsRebuilt) {
            subscriptions.announceAll();
        }
    }

    @Override
    public void metrics(BiConsumer<String, Long> visitor) {
        visitor.accept("nodes", (long) members.list().size());
        visitor.accept("quorum", group.hasLeader() ? 1L : 0L);
        visitor.accept("leader", group.isLeader() ? 1L : 0L);
        visitor.accept("links/up", (long) counters.linksUp());
        visitor.accept("routes", (long) table.size());
        visitor.accept("routes/shared", (long) table.sharedRoutes());
        visitor.accept("changes/pending", (long) announcer.pending());
        visitor.accept("retained", (long) retained.size());
        visitor.accept("messages/sent", counters.sentCount());
        visitor.accept("messages/received", counters.receivedCount());
        visitor.accept("messages/dropped", counters.droppedCount());
        visitor.accept("messages/shared-missed", counters.sharedMissedCount());
        visitor.accept("links/refused", counters.refusedCount());
        long unreadable = stateMachine.unreadableEntries();
        long replicatedSessions = 0;
        long replicatedMessages = 0;
        long led = 0;
        long kept = 0;
        long failed = 0;
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            PartitionStateMachine machine = partitionMachines.get(p);
            if (machine != null && group.hosts(SessionPartitions.groupId(p))) {
                kept++;
                if (!group.isAlive(SessionPartitions.groupId(p))) {
                    failed++;
                }
                replicatedSessions += machine.sessions();
                replicatedMessages += machine.messages();
                unreadable += machine.unreadableEntries();
                if (group.isLeader(SessionPartitions.groupId(p))) {
                    led++;
                }
            }
        }
        visitor.accept("entries/unreadable", unreadable);
        visitor.accept("nodes/down", (long) failures.downCount());
        visitor.accept("partitions/kept", kept);
        visitor.accept("partitions/failed", failed);
        visitor.accept("partitions/led", led);
        visitor.accept("partitions/moving", (long) mover.moving());
        visitor.accept("partitions/sessions", replicatedSessions);
        visitor.accept("partitions/messages", replicatedMessages);
        visitor.accept("partitions/entries", proposer.entries());
        visitor.accept("partitions/events", proposer.events());
    }

    @Override
    public void close() {
        quorum.close();
        mover.close();
        failures.close();
        announcer.close();
        proposer.close();
        links.close();
        server.close();
        try {
            group.close();
        } catch (IOException e) {
            log.warn("Closing the Raft server failed: {}", e.toString());
        }
    }
}
