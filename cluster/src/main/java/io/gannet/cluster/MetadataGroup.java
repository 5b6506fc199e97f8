package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft group every node belongs to, which replicates the cluster's metadata ({@link MetadataStateMachine}): this
 * node's Ratis server on {@code raft-port}, and the client it proposes changes with. Ratis elects the leader, detects
 * failed nodes and keeps the log; nothing of that is Gannet's own.
 *
 * <p>The transport is gRPC, not Netty: Ratis's Netty server answers a client request on its event loop only once the
 * entry is applied, so under a storm of claims the requests of the nodes' Raft clients held up the appendEntries of
 * the leaders sharing those loops, and groups lost their leaders for seconds (ADR 16, "The gRPC transport").
 */
final class MetadataGroup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataGroup.class);
    /** The same id on every node, from a fixed name: the nodes find each other's group without configuring it. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(
            UUID.nameUUIDFromBytes("gannet-cluster-metadata".getBytes(StandardCharsets.UTF_8)));
    /** The shortest election timeout; the longest is twice it. */
    static final long ELECTION_MIN_MILLIS = 600;

    private static final java.util.concurrent.atomic.AtomicLong CALL_IDS = new java.util.concurrent.atomic.AtomicLong();

    private final RaftServer server;
    private final RaftClient client;

    /**
     * @param others the state machines of the other groups this node's server hosts (the session partitions), by
     *               group id; Ratis asks for them as it recovers those groups from {@code directory}
     */
    MetadataGroup(ClusterConfig config, Path directory, ClusterTls tls, MetadataStateMachine stateMachine,
                  StateMachine.Registry others) throws IOException {
        // The founding nodes are the group's first configuration. A joined node starts with none: it neither
        // campaigns nor votes until the leader adds it (bin/gannet cluster add) and sends it the log.
        RaftGroup founding = RaftGroup.valueOf(GROUP_ID, peers(config.founding()));
        RaftGroup group = config.self().joined() ? RaftGroup.valueOf(GROUP_ID) : founding;
        RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(props, config.self().host());
        GrpcConfigKeys.Server.setPort(props, config.self().raftPort());
        RaftServerConfigKeys.setStorageDir(props, List.of(directory.toFile()));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
        // Every group's log is cut at its snapshots: a node away for longer gets the leader's snapshot, installed
        // through FileSnapshotStateMachine's pause and reinitialize.
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, config.snapshotEntries());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, true);
        RaftServerConfigKeys.Log.setPurgeGap(props, config.snapshotEntries());
        // Every node hosts the metadata group and its session partitions, each with its own leader and heartbeats.
        // Ratis's default election timeout (150-300 ms) called elections all the time on a loaded machine, where a
        // heartbeat waits behind other work; 600-1200 ms still elects a new leader within the two seconds a client
        // has to be resumed in after its node died.
        RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(ELECTION_MIN_MILLIS, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2 * ELECTION_MIN_MILLIS,
                TimeUnit.MILLISECONDS));
        // A new member (a node added, a partition's copy moving) must show progress in catching up within this, or
        // the change fails. Ratis's default, three election timeouts (3.6 s here), failed every add to a cluster
        // whose nodes shared a saturated core (benchmarks/cluster.sh --move): the new node's log arrived, but not
        // that fast. Failing sooner helps nobody; the change is simply tried again.
        RaftServerConfigKeys.setStagingTimeout(props, TimeDuration.valueOf(30, TimeUnit.SECONDS));
        // A node's first start formats its storage; every later one recovers it (Ratis refuses to format twice).
        boolean formatted = Files.isDirectory(directory.resolve(GROUP_ID.getUuid().toString()));
        this.server = RaftServer.newBuilder()
                .setOption(formatted ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .setServerId(RaftPeerId.valueOf(config.nodeId()))
                .setGroup(group)
                .setProperties(props)
                .setParameters(parameters(tls))
                .setStateMachineRegistry(id -> id.equals(GROUP_ID) ? stateMachine : others.apply(id))
                .build();
        // Proposals may go to any node listed: the client finds the leader.
        this.client = newClient(RaftGroup.valueOf(GROUP_ID, peers(config.nodes())), tls);
    }

    /** The Raft peers of {@code nodes}: their ids and Raft addresses. */
    static List<RaftPeer> peers(List<ClusterConfig.Node> nodes) {
        return nodes.stream().map(MetadataGroup::peer).toList();
    }

    static RaftPeer peer(ClusterConfig.Node n) {
        return RaftPeer.newBuilder().setId(n.id()).setAddress(n.host() + ":" + n.raftPort()).build();
    }

    /**
     * A client of {@code group}. A proposal waits out an election or a lost majority rather than failing: the
     * proposers send one entry at a time and must not skip one.
     */
    static RaftClient newClient(RaftGroup group, ClusterTls tls) {
        return newClient(group, null, tls);
    }

    /** {@link #newClient(RaftGroup, ClusterTls)}, asking {@code first} first ({@code null}: Ratis's choice). */
    static RaftClient newClient(RaftGroup group, RaftPeerId first, ClusterTls tls) {
        RaftProperties clientProps = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProps, SupportedRpcType.GRPC);
        return RaftClient.newBuilder()
                .setProperties(clientProps)
                .setParameters(parameters(tls))
                .setRaftGroup(group)
                .setLeaderId(first)
                .setRetryPolicy(RetryPolicies.retryForeverWithSleep(TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                .build();
    }

    /**
     * A client for one administrative call to {@code leader}, this node's copy of {@code group} as it leads it: no
     * retries (the caller tries again later, with what it finds then), and time for a new member to catch up.
     */
    static RaftClient newAdminClient(RaftGroup group, RaftPeerId leader, ClusterTls tls) {
        RaftProperties clientProps = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProps, SupportedRpcType.GRPC);
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(clientProps,
                TimeDuration.valueOf(60, TimeUnit.SECONDS));
        return RaftClient.newBuilder()
                .setProperties(clientProps)
                .setParameters(parameters(tls))
                .setRaftGroup(group)
                .setLeaderId(leader)
                .setRetryPolicy(RetryPolicies.noRetry())
                .build();
    }

    static org.apache.ratis.conf.Parameters parameters(ClusterTls tls) {
        org.apache.ratis.conf.Parameters parameters = new org.apache.ratis.conf.Parameters();
        tls.configure(parameters);
        return parameters;
    }

    /**
     * Makes this node's server a member of {@code group} if it is not one yet: on the node's first start, since
     * Ratis recovers the groups it finds in the storage directory at every later one.
     *
     * <p>A copy recovered without a configuration stopped before the group's first entry reached it: it holds
     * nothing, and Ratis, which keeps a group's members only in its log and snapshots, would shut it down at its
     * first election for not being a member. It is formed again, with the members, and gets the log from the leader.
     */
    void join(RaftGroup group) throws IOException {
        for (RaftGroupId id : server.getGroupIds()) {
            if (id.equals(group.getGroupId())) {
                if (!server.getDivision(id).getRaftConf().getAllPeers().isEmpty()) {
                    return;
                }
                log.warn("This node's copy of Raft group {} stopped before it got the group's first entry, and "
                        + "knows no members: it is formed again and gets the log from the leader", id);
                RaftClientReply removed = server.groupManagement(GroupManagementRequest.newRemove(ClientId.randomId(),
                        server.getId(), CALL_IDS.incrementAndGet(), id, true, false));
                if (!removed.isSuccess()) {
                    throw new IOException("could not form Raft group " + id + " again: " + removed.getException());
                }
                break;
            }
        }
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
                server.getId(), CALL_IDS.incrementAndGet(), group, true));
        if (!reply.isSuccess()) {
            throw new IOException("could not join Raft group " + group.getGroupId() + ": " + reply.getException());
        }
    }

    /** Whether this node's server holds a copy of the group {@code id}. */
    boolean hosts(RaftGroupId id) {
        try {
            for (RaftGroupId held : server.getGroupIds()) {
                if (held.equals(id)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return false; // the server is closing
        }
    }

    /**
     * The voters of group {@code id} as this node's copy has them, or {@code null} when it has no copy, or when a
     * change of the configuration is under way (the copy knows two).
     */
    List<RaftPeer> voters(RaftGroupId id) {
        try {
            var conf = server.getDivision(id).getRaftConf();
            return conf.getPreviousPeers().isEmpty() ? List.copyOf(conf.getCurrentPeers()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Starts an empty copy of group {@code id} on this node, with no configuration: it neither campaigns nor votes
     * until the group's leader adds it and sends it a snapshot or the log (as a joined node's metadata group starts).
     */
    void joinEmpty(RaftGroupId id) throws IOException {
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
                server.getId(), CALL_IDS.incrementAndGet(), RaftGroup.valueOf(id), true));
        if (!reply.isSuccess()) {
            throw new IOException("could not start a copy of Raft group " + id + ": " + reply.getException());
        }
    }

    /**
     * Opens again this node's copy of group {@code id}, which Ratis closed, from its directory, as a restart of the
     * node would: its log, its term and its vote stay, so it counts toward the group's majority as before.
     */
    void reopen(RaftGroup group) throws IOException {
        RaftClientReply removed = server.groupManagement(GroupManagementRequest.newRemove(ClientId.randomId(),
                server.getId(), CALL_IDS.incrementAndGet(), group.getGroupId(), false, false));
        if (!removed.isSuccess()) {
            throw new IOException("could not take the closed copy of Raft group " + group.getGroupId() + " out: "
                    + removed.getException());
        }
        RaftClientReply added = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
                server.getId(), CALL_IDS.incrementAndGet(), group, false));
        if (!added.isSuccess()) {
            throw new IOException("could not open the copy of Raft group " + group.getGroupId() + " again: "
                    + added.getException());
        }
    }

    /**
     * Starts this node's copy of {@code group}, which the log says it holds: from its directory if it has one (a
     * reopening whose second half failed), since a voter that forgot its log could elect a leader without what it
     * had acknowledged; formed anew, with {@code group}'s members, only when there is nothing to recover.
     */
    void rejoin(RaftGroup group) throws IOException {
        RaftClientReply recovered = server.groupManagement(GroupManagementRequest.newAdd(ClientId.randomId(),
                server.getId(), CALL_IDS.incrementAndGet(), group, false));
        if (!recovered.isSuccess()) {
            log.warn("This node's copy of Raft group {} could not be recovered from its directory ({}): it is "
                    + "formed again and gets the log from the leader", group.getGroupId(), recovered.getException());
            join(group);
        }
    }

    /** Closes this node's copy of group {@code id} and deletes its directory: the group is kept by others now. */
    void leave(RaftGroupId id) throws IOException {
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newRemove(ClientId.randomId(),
                server.getId(), CALL_IDS.incrementAndGet(), id, true, false));
        if (!reply.isSuccess()) {
            throw new IOException("could not delete this node's copy of Raft group " + id + ": "
                    + reply.getException());
        }
    }

    /** This node's Raft id. */
    RaftPeerId id() {
        return server.getId();
    }

    /** Whether this node's server has the group {@code id} and knows a leader of it. */
    boolean hasLeader(RaftGroupId id) {
        try {
            return server.getDivision(id).getInfo().getLeaderId() != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether this node's copy of the group {@code id} runs: Ratis closes a copy whose state machine failed, and it
     * stays closed until the node restarts.
     */
    boolean isAlive(RaftGroupId id) {
        try {
            return server.getDivision(id).getInfo().isAlive();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this node leads the group {@code id} now. */
    boolean isLeader(RaftGroupId id) {
        try {
            return server.getDivision(id).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens the Raft port and joins the group; returns without waiting for a leader. */
    void start() throws IOException {
        server.start();
    }

    /** Proposes one entry; completes when a majority has committed it and this node's state machine applied it. */
    CompletableFuture<RaftClientReply> propose(byte[] entry) {
        return client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)));
    }

    /** Whether this node knows a leader of the group: false while it cannot reach a majority. */
    boolean hasLeader() {
        return hasLeader(GROUP_ID);
    }

    /**
     * The group's followers with how long each has not answered, while this node leads it and has for longer than
     * {@code settledMillis} (a new leader has not heard from every follower yet); else none.
     */
    List<ServerRpcProto> followers(long settledMillis) {
        try {
            RoleInfoProto role = server.getDivision(GROUP_ID).getInfo().getRoleInfoProto();
            return role.hasLeaderInfo() && role.getRoleElapsedTimeMs() > settledMillis
                    ? role.getLeaderInfo().getFollowerInfoList() : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Whether this node has applied every entry it knows committed, and knows a leader: its picture of which nodes are
     * down is current, not one replayed from an old part of the log at a restart.
     */
    boolean caughtUp() {
        try {
            var division = server.getDivision(GROUP_ID);
            return division.getInfo().getLeaderId() != null
                    && division.getInfo().getLastAppliedIndex() >= division.getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this node is the group's leader now. */
    boolean isLeader() {
        return isLeader(GROUP_ID);
    }

    @Override
    public void close() throws IOException {
        try {
            closeClient(client, "the metadata group");
        } finally {
            server.close();
        }
    }

    /**
     * Closes a Raft client, waiting at most two seconds: Ratis's client can wait without end for a connection to a
     * peer that died, and a stopping node must not hang on it. What is left closes on a daemon thread.
     */
    static void closeClient(RaftClient client, String what) {
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                client.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            closed.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("The Raft client of {} did not close in time: {}", what, e.toString());
        }
    }
}
