package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import net.openhft.hashing.LongHashFunction;
import org.apache.ratis.protocol.RaftGroupId;

/**
 * Which Raft group keeps which persistent session, and which nodes keep a copy of each group. A client id belongs
 * to one of {@link #COUNT} partitions by its hash; each partition is a Raft group of {@code replication-factor}
 * nodes chosen by rendezvous hashing (each node scores each partition; the highest scores win), over the members
 * of the cluster as the metadata log has them. A node that joins or leaves then changes only the partitions it
 * enters or leaves.
 *
 * <p>Two placements per partition: the <em>target</em>, computed from the members, and the <em>copies</em>, the
 * nodes the metadata log says hold the group now ({@link MetadataChange.Placed}). They differ while a partition
 * moves: its leader adds the target's new nodes to the Raft group, removes the others, and then proposes the new
 * copies ({@link PartitionMover}). Before any move the copies are the founding placement, which every node computes
 * the same from {@code cluster.nodes}.
 *
 * <p>The copies change only as the metadata log is applied; they are read from any thread.
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

    private final int replicationFactor;
    /** The nodes holding each partition's group, by the log; guarded by {@code this}. */
    private final List<List<String>> copies = new ArrayList<>(COUNT);

    SessionPartitions(List<ClusterConfig.Node> founding, int replicationFactor) {
        this.replicationFactor = replicationFactor;
        List<String> ids = founding.stream().map(ClusterConfig.Node::id).toList();
        for (int p = 0; p < COUNT; p++) {
            copies.add(choose(ids, p, replicationFactor));
        }
    }

    /**
     * The {@code count} nodes of {@code nodes} with the highest scores for {@code partition}, highest first; ties
     * (never seen with a 64-bit hash) go to the id that sorts first.
     */
    static List<String> choose(Collection<String> nodes, int partition, int count) {
        return nodes.stream()
                .sorted(Comparator.comparingLong((String n) -> score(n, partition)).reversed()
                        .thenComparing(Comparator.naturalOrder()))
                .limit(count)
                .toList();
    }

    /**
     * Where {@code partition} belongs among {@code members}: {@code replication-factor} of them, or all of them when
     * fewer are left (a cluster shrunk below its factor keeps a copy on every node).
     */
    List<String> target(int partition, Collection<String> members) {
        return choose(members, partition, Math.min(replicationFactor, members.size()));
    }

    /** The nodes that hold {@code partition}'s group, as the metadata log has them. */
    synchronized List<String> copies(int partition) {
        return copies.get(partition);
    }

    /** Whether {@code nodeId} keeps a copy of {@code partition}, as the metadata log has it. */
    synchronized boolean isMember(String nodeId, int partition) {
        return copies.get(partition).contains(nodeId);
    }

    /**
     * Applies a {@link MetadataChange.Placed}.
     *
     * @return whether the copies changed
     */
    synchronized boolean place(int partition, List<String> nodes) {
        if (partition < 0 || partition >= COUNT || nodes.isEmpty()
                || Set.copyOf(nodes).equals(Set.copyOf(copies.get(partition)))) {
            return false;
        }
        copies.set(partition, List.copyOf(nodes));
        return true;
    }

    /** Writes the copies, for the metadata snapshot. */
    synchronized void write(DataOutput out) throws IOException {
        out.writeInt(COUNT);
        for (List<String> nodes : copies) {
            out.writeInt(nodes.size());
            for (String n : nodes) {
                out.writeUTF(n);
            }
        }
    }

    /** Replaces the copies with those a snapshot holds. */
    synchronized void read(DataInput in) throws IOException {
        int count = in.readInt();
        if (count != COUNT) {
            throw new IOException("a snapshot of " + count + " session partitions; this version has " + COUNT);
        }
        List<List<String>> read = new ArrayList<>(COUNT);
        for (int p = 0; p < COUNT; p++) {
            int n = in.readInt();
            if (n <= 0 || n > ClusterMembers.MAX_PLACES) {
                throw new IOException("session partition " + p + " with " + n + " copies");
            }
            List<String> nodes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                nodes.add(in.readUTF());
            }
            read.add(List.copyOf(nodes));
        }
        for (int p = 0; p < COUNT; p++) {
            copies.set(p, read.get(p));
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
}
