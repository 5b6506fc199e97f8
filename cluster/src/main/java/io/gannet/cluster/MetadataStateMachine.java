package io.gannet.cluster;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.statemachine.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's shared state as the Raft log of the metadata group builds it, the same on every node: the routing
 * table, the retained messages and the members. Ratis applies the committed entries here in log order on one
 * thread; a snapshot of the table lets it drop the log before it, and a node that restarts or falls behind loads the
 * snapshot and applies what follows.
 */
final class MetadataStateMachine extends FileSnapshotStateMachine {
    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);
    /** The snapshot file's own format, checked when it is loaded. */
    private static final int SNAPSHOT_FORMAT = 2;
    /**
     * Marks the session partitions' copies in a snapshot, after the members: a snapshot written before partitions
     * followed the members ends without it, and keeps the founding placement.
     */
    private static final int PLACEMENT_SECTION = 'P';

    private final RoutingTable table;
    private final ReplicatedRetained retained;
    private final ClusterMembers members;
    private final SessionPartitions partitions;
    private final java.util.function.Consumer<MetadataChange> nodeChanges;
    private final AppliedIndex applied;
    private final AnnouncedRoutes announced;
    /**
     * Nodes found down whose sessions are not yet adopted in every partition, with the partitions done. Applied
     * from the log like the rest; not in snapshots, since a node that restarts from one finds its down nodes again.
     */
    private final Map<String, BitSet> adoptions = new HashMap<>();
    /**
     * For each node in {@link #adoptions}, the filters it announced since it was found down. A node found down
     * while it runs (a pause, a loaded machine) announces its routes again, and takes new subscribers: once its
     * sessions are adopted everywhere, those routes stay and only the older ones go.
     */
    private final Map<String, Set<String>> announcedSinceDown = new HashMap<>();
    /** The members before the last snapshot was loaded, for {@link #reloaded}. */
    private List<ClusterMembers.Member> membersBefore = List.of();

    /**
     * @param nodeChanges hears, as it is applied, that a node was found down or up again ({@link
     *                 MetadataChange.Liveness}), started ({@link MetadataChange.Started}), joined or left ({@link
     *                 MetadataChange.Join}, {@link MetadataChange.Leave}); on Ratis's applying thread, so it must not
     *                 block
     * @param announced hears of each node whose routes the log drops, and of each that announces them all again
     */
    MetadataStateMachine(RoutingTable table, ReplicatedRetained retained, ClusterMembers members,
                         SessionPartitions partitions, java.util.function.Consumer<MetadataChange> nodeChanges,
                         AppliedIndex applied, AnnouncedRoutes announced) {
        super("the cluster's metadata", SNAPSHOT_FORMAT);
        this.table = table;
        this.retained = retained;
        this.members = members;
        this.partitions = partitions;
        this.nodeChanges = nodeChanges;
        this.applied = applied;
        this.announced = announced;
    }

    /**
     * Every way an index counts as applied passes here: an entry of ours, one of Ratis's own (a leader's first
     * entry, a configuration), a snapshot loaded. The routes of that index are in the table by then.
     */
    @Override
    protected boolean updateLastAppliedTermIndex(TermIndex newApplied) {
        boolean updated = super.updateLastAppliedTermIndex(newApplied);
        applied.advance(newApplied.getIndex());
        return updated;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] data = entry.getStateMachineLogEntry().getLogData().toByteArray();
        try {
            for (MetadataChange change : MetadataChange.decode(data)) {
                apply(change);
            }
        } catch (IllegalArgumentException e) {
            skipped(entry, e.getMessage());
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** A read-only query: the members, for {@code bin/gannet cluster status}. */
    static final String MEMBERS_QUERY = "members";
    /** A read-only query: where the session partitions are, for {@code bin/gannet cluster remove} and status. */
    static final String PARTITIONS_QUERY = "partitions";

    /**
     * Answers {@link #MEMBERS_QUERY} with a line per member, by place: place (from 1), id, host, port, raft-port,
     * separated by spaces; and {@link #PARTITIONS_QUERY} with a line per session partition: its number, the nodes
     * that keep its copies, and the nodes it belongs on among the members, each a comma-separated list. Ratis runs it
     * on this node's copy, as applied now.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        String query = request.getContent().toStringUtf8();
        StringBuilder out = new StringBuilder();
        if (query.equals(MEMBERS_QUERY)) {
            for (ClusterMembers.Member m : members.list()) {
                out.append(m.place() + 1).append(' ').append(m.id()).append(' ').append(m.host()).append(' ')
                        .append(m.port()).append(' ').append(m.raftPort()).append('\n');
            }
        } else if (query.equals(PARTITIONS_QUERY)) {
            List<String> ids = members.list().stream().map(ClusterMembers.Member::id).toList();
            for (int p = 0; p < SessionPartitions.COUNT; p++) {
                out.append(p).append(' ').append(String.join(",", partitions.copies(p))).append(' ')
                        .append(String.join(",", partitions.target(p, ids))).append('\n');
            }
        } else {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown query; this version "
                    + "answers '" + MEMBERS_QUERY + "' and '" + PARTITIONS_QUERY + "'"));
        }
        return CompletableFuture.completedFuture(Message.valueOf(out.toString()));
    }

    /** Applies one committed change; package-private for tests. */
    void apply(MetadataChange change) {
        if (change instanceof MetadataChange.Add a) {
            table.add(a.node(), a.filter());
            Set<String> since = announcedSinceDown.get(a.node());
            if (since != null) {
                since.add(a.filter());
            }
        } else if (change instanceof MetadataChange.Remove r) {
            table.remove(r.node(), r.filter());
            Set<String> since = announcedSinceDown.get(r.node());
            if (since != null) {
                since.remove(r.filter());
            }
        } else if (change instanceof MetadataChange.Replace r) {
            table.replace(r.node(), r.filters());
            announced.announced(r.node());
            announcedSinceDown.computeIfPresent(r.node(), (node, since) -> new HashSet<>(r.filters()));
        } else if (change instanceof MetadataChange.Retain r) {
            retained.apply(r);
        } else if (change instanceof MetadataChange.Clear c) {
            retained.apply(c);
        } else if (change instanceof MetadataChange.Liveness l) {
            if (l.down()) {
                // Its clean sessions died with it. Its durable routes stay until its sessions are adopted in every
                // partition: messages for them fail meanwhile rather than reach nobody.
                table.replaceKeepingDurable(l.node(), List.of());
                announced.dropped(l.node());
                adoptions.put(l.node(), new BitSet(SessionPartitions.COUNT));
                announcedSinceDown.put(l.node(), new HashSet<>());
            } else {
                adoptions.remove(l.node());
                announcedSinceDown.remove(l.node());
            }
            nodeChanges.accept(l);
        } else if (change instanceof MetadataChange.Started s) {
            // Up, as Liveness says when a node answers again: what it had from before is its own to replace.
            adoptions.remove(s.node());
            announcedSinceDown.remove(s.node());
            nodeChanges.accept(s);
        } else if (change instanceof MetadataChange.Join j) {
            ClusterMembers.Member joined = members.join(j);
            if (joined != null) {
                table.addNode(new NodeRef(joined.id(), joined.place()));
                nodeChanges.accept(j);
            } else if (members.get(j.node()) == null) {
                log.warn("Node {} cannot join: the cluster has given all of its {} places", j.node(),
                        ClusterMembers.MAX_PLACES);
            }
        } else if (change instanceof MetadataChange.Leave l) {
            if (members.leave(l.node()) != null) {
                // Its clean sessions are gone with it. Its persistent ones are adopted as a down node's are (again,
                // when that happened already: then nothing is left to take), and its durable routes stay until they
                // are, so that a message for one of them fails meanwhile rather than reach nobody.
                table.replaceKeepingDurable(l.node(), List.of());
                announced.dropped(l.node());
                adoptions.putIfAbsent(l.node(), new BitSet(SessionPartitions.COUNT));
                announcedSinceDown.putIfAbsent(l.node(), new HashSet<>());
                nodeChanges.accept(l);
            }
        } else if (change instanceof MetadataChange.Placed p) {
            if (partitions.place(p.partition(), p.nodes())) {
                log.info("Session partition {} is kept by {} now", p.partition(), p.nodes());
            }
        } else if (change instanceof MetadataChange.Adopted a) {
            BitSet done = adoptions.get(a.deadNode());
            if (done != null && a.partition() >= 0 && a.partition() < SessionPartitions.COUNT) {
                done.set(a.partition());
                if (done.cardinality() == SessionPartitions.COUNT) {
                    // Its routes from before it was found down go; what it announced since is its own (it ran).
                    Set<String> since = announcedSinceDown.remove(a.deadNode());
                    table.replace(a.deadNode(), since != null ? since : Set.of());
                    adoptions.remove(a.deadNode());
                }
            }
        }
    }

    /**
     * The leader's snapshot replaced the state (this node had fallen behind): the joins and leaves in the entries it
     * skipped are told as if they were applied, so that links and failure detection follow the members. Whether a
     * node was found down or up in them is not in the snapshot; the failure detector finds it again.
     */
    @Override
    protected void reloaded() {
        List<ClusterMembers.Member> before = membersBefore;
        Set<String> now = new HashSet<>();
        for (ClusterMembers.Member m : members.list()) {
            now.add(m.id());
            if (before.stream().noneMatch(b -> b.id().equals(m.id()))) {
                nodeChanges.accept(new MetadataChange.Join(m.id(), m.host(), m.port(), m.raftPort()));
            }
        }
        for (ClusterMembers.Member b : before) {
            if (!now.contains(b.id())) {
                nodeChanges.accept(new MetadataChange.Leave(b.id()));
            }
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        // Called on the thread that applies entries: the table and the applied index belong together here.
        Map<String, Set<String>> copy = table.copy();
        List<io.gannet.broker.message.Message> messages = retained.snapshot();
        return writeSnapshot(out -> {
            out.writeInt(copy.size());
            for (Map.Entry<String, Set<String>> e : copy.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (String filter : e.getValue()) {
                    out.writeUTF(filter);
                }
            }
            out.writeInt(messages.size());
            for (io.gannet.broker.message.Message m : messages) {
                MetadataChange.writeMessage(out, m);
            }
            members.write(out);
            // After the members, so that a node of an older version, which stops reading there, still loads it.
            out.writeByte(PLACEMENT_SECTION);
            partitions.write(out);
        });
    }

    @Override
    protected void readState(DataInputStream in, Path file) throws IOException {
        int nodes = in.readInt();
        Map<String, List<String>> routes = new HashMap<>();
        for (int i = 0; i < nodes; i++) {
            String node = in.readUTF();
            int count = in.readInt();
            List<String> filters = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                filters.add(in.readUTF());
            }
            routes.put(node, filters);
        }
        table.replaceAll(routes);
        announced.forgetAll();
        int count = in.readInt();
        List<io.gannet.broker.message.Message> messages = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            messages.add(MetadataChange.readMessage(in));
        }
        retained.restore(messages);
        List<ClusterMembers.Member> before = members.list();
        members.read(in);
        for (ClusterMembers.Member m : members.list()) {
            table.addNode(new NodeRef(m.id(), m.place()));
        }
        membersBefore = before;
        int section = in.read();
        if (section == PLACEMENT_SECTION) {
            partitions.read(in);
        } else if (section != -1) {
            throw new IOException("an unknown section " + section + " in the snapshot " + file);
        }
        log.info("Loaded the cluster snapshot {} ({} routes, {} retained messages, {} members)", file.getFileName(),
                table.size(), retained.size(), members.list().size());
    }
}
