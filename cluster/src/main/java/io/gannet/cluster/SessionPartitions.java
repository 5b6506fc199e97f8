package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import net.openhft.hashing.LongHashFunction;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/**
 * Which Raft group keeps which persistent session: a client id belongs to one of {@link #COUNT} partitions by its
 * hash, and each partition is a group of {@code replication-factor} nodes chosen by rendezvous hashing (each node
 * scores each partition; the highest scores win). A node that joins or leaves then changes only the partitions it
 * enters or leaves, and every node computes the same table from the same node list, with nothing to agree on.
 */
final class SessionPartitions {
    /**
     * Partitions of the client-id space. Fixed for the life of a cluster's data: a client id must map to the same
     * partition on every node and after every restart. Eight spread the sessions of a few nodes evenly while each
     * node hosts few Raft groups: each has its own log, threads, heartbeats and elections, and with sixteen three
     * nodes sharing two cores lost their leaders under load.
     */
    static final int COUNT = 8;

    private static final LongHashFunction HASH = LongHashFunction.xx3();

    private final List<List<ClusterConfig.Node>> members = new ArrayList<>(COUNT);
    private final RaftGroup[] groups = new RaftGroup[COUNT];

    SessionPartitions(List<ClusterConfig.Node> nodes, int replicationFactor) {
        for (int p = 0; p < COUNT; p++) {
            int partition = p;
            List<ClusterConfig.Node> chosen = nodes.stream()
                    .sorted(Comparator.comparingLong((ClusterConfig.Node n) -> score(n.id(), partition)).reversed()
                            .thenComparing(ClusterConfig.Node::id))
                    .limit(replicationFactor)
                    .toList();
            members.add(chosen);
            groups[p] = RaftGroup.valueOf(groupId(p), chosen.stream()
                    .map(n -> RaftPeer.newBuilder().setId(n.id()).setAddress(n.host() + ":" + n.raftPort()).build())
                    .toList());
        }
    }

    /** A node's rendezvous score for a partition. */
    static long score(String nodeId, int partition) {
        return HASH.hashChars(nodeId + "/" + partition);
    }

    /** The partition of a client id; the same on every node. */
    static int partitionOf(String clientId) {
        return (int) Math.floorMod(HASH.hashChars(clientId), (long) COUNT);
    }

    /** The id of a partition's group: from a fixed name, so every node finds the same group without configuring it. */
    static RaftGroupId groupId(int partition) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("gannet-sessions-" + partition)
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** The partition a group id names, or -1 for another group. */
    static int partitionOf(RaftGroupId id) {
        for (int p = 0; p < COUNT; p++) {
            if (groupId(p).equals(id)) {
                return p;
            }
        }
        return -1;
    }

    RaftGroup group(int partition) {
        return groups[partition];
    }

    /** Whether {@code nodeId} keeps a copy of {@code partition}. */
    boolean isMember(String nodeId, int partition) {
        for (ClusterConfig.Node n : members.get(partition)) {
            if (n.id().equals(nodeId)) {
                return true;
            }
        }
        return false;
    }
}
