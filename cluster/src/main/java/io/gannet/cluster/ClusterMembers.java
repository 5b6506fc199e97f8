package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of the cluster as its metadata log has them: the founding nodes of {@code cluster.nodes}, then each node
 * that joined, less each that left. The first step of membership at run time (ADR 16): a node's place, its bit in
 * the routing masks, its slot in the link arrays and its part of session keys, is given once, in log order, and
 * never given again, so that nothing a place named before can name another node after. A node that leaves and joins
 * again gets a new place. A cluster has {@link #MAX_PLACES} places over its life, the bits of a routing mask.
 *
 * <p>Changed only as the metadata log is applied, on Ratis's applying thread; read from any thread.
 */
final class ClusterMembers {
    /** One bit per place in a routing mask. */
    static final int MAX_PLACES = Long.SIZE;

    /** A node of the cluster and its place. */
    record Member(String id, String host, int port, int raftPort, int place) {
        ClusterConfig.Node node() {
            return new ClusterConfig.Node(id, host, port, raftPort);
        }
    }

    private final Map<String, Member> byId = new LinkedHashMap<>();
    private int nextPlace;

    /** The founding nodes, in their configured order: places 0, 1, 2, ... */
    ClusterMembers(List<ClusterConfig.Node> founding) {
        for (ClusterConfig.Node n : founding) {
            byId.put(n.id(), new Member(n.id(), n.host(), n.port(), n.raftPort(), nextPlace++));
        }
    }

    /**
     * Applies a {@link MetadataChange.Join}: the node gets the next place.
     *
     * @return the new member; {@code null} if a node of that id is a member already (a join proposed twice), or if
     *         every place has been given
     */
    synchronized Member join(MetadataChange.Join join) {
        if (byId.containsKey(join.node()) || nextPlace >= MAX_PLACES) {
            return null;
        }
        Member m = new Member(join.node(), join.host(), join.port(), join.raftPort(), nextPlace++);
        byId.put(m.id(), m);
        return m;
    }

    /**
     * Applies a {@link MetadataChange.Leave}; its place is not given again.
     *
     * @return the member that left, or {@code null} if it was not one
     */
    synchronized Member leave(String id) {
        return byId.remove(id);
    }

    /** The member of that id, or {@code null}. */
    synchronized Member get(String id) {
        return byId.get(id);
    }

    /** The members, by place. */
    synchronized List<Member> list() {
        return List.copyOf(byId.values());
    }

    /** Places given so far, the left nodes' included. */
    synchronized int placesGiven() {
        return nextPlace;
    }

    /** Writes the members and the next place, for the metadata snapshot. */
    synchronized void write(DataOutput out) throws IOException {
        out.writeInt(nextPlace);
        out.writeInt(byId.size());
        for (Member m : byId.values()) {
            out.writeUTF(m.id());
            out.writeUTF(m.host());
            out.writeInt(m.port());
            out.writeInt(m.raftPort());
            out.writeInt(m.place());
        }
    }

    /** Replaces the members with those a snapshot holds. */
    synchronized void read(DataInput in) throws IOException {
        int next = in.readInt();
        int count = in.readInt();
        if (next < 0 || next > MAX_PLACES || count < 0 || count > next) {
            throw new IOException("a member list of " + count + " nodes in " + next + " places");
        }
        List<Member> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Member m = new Member(in.readUTF(), in.readUTF(), in.readInt(), in.readInt(), in.readInt());
            if (m.place() < 0 || m.place() >= next) {
                throw new IOException("node " + m.id() + " at place " + m.place() + " of " + next);
            }
            members.add(m);
        }
        byId.clear();
        members.forEach(m -> byId.put(m.id(), m));
        nextPlace = next;
    }
}
