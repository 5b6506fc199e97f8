package io.gannet.cluster;

import io.gannet.persistence.SessionTable;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session partition as its Raft log builds it, the same on each of its members: the persistent sessions whose
 * client ids hash here, in the journal's own records and state ({@link SessionTable}), and the node that owns each
 * (the one its client is connected to, or was last). Entries are those of {@link PartitionEntry}.
 *
 * <p>Ownership fences the sessions: the events of a session are taken only from its owner, so that the events an
 * old owner still sends after another node took the session over (it hears of the takeover a moment later) cannot
 * change what the new owner rebuilt; the entry's answer names the refused sessions, and the old owner fails what
 * waited for them. When this node is the old owner, {@link TakeoverListener} hears of the takeover as the entry is
 * applied.
 *
 * <p>Ratis applies entries on one thread and answers queries on others: both take this object's lock, which is
 * never on a publisher's path (the event loops only queue events for the {@link PartitionProposer}).
 */
final class PartitionStateMachine extends FileSnapshotStateMachine {
    private static final Logger log = LoggerFactory.getLogger(PartitionStateMachine.class);
    /** The snapshot file's own format, checked when it is loaded. */
    private static final int SNAPSHOT_FORMAT = 3; // 3: journal record format 2
    /** Records per chunk of a snapshot. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** Hears, on the applying thread, that another node took over a session this node owned. */
    interface TakeoverListener {
        /**
         * @param resumed whether the new owner's client resumed the session (rather than starting clean)
         * @param index   the log index of the entry that took it
         */
        void takenOver(int partition, String clientId, String byNode, boolean resumed, long index);

        /** This copy of the partition applied the entry at {@code index}. */
        void applied(int partition, long index);
    }

    private final int partition;
    private final String self;
    private final TakeoverListener listener;
    private SessionTable table = new SessionTable();
    /** Client id to the node that owns its session; entries of ended sessions are dropped at snapshots. */
    private Map<String, String> owners = new HashMap<>();
    /** Node id to the index of its last resumption: adoptions decided before it are stale. */
    private Map<String, Long> resumedAt = new HashMap<>();

    PartitionStateMachine(int partition, String self, TakeoverListener listener) {
        super("session partition " + partition, SNAPSHOT_FORMAT);
        this.partition = partition;
        this.self = self;
        this.listener = listener;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteString data = entry.getStateMachineLogEntry().getLogData();
        byte[] answer;
        synchronized (this) {
            try {
                answer = apply(data.toByteArray(), entry.getIndex());
            } catch (IllegalArgumentException e) {
                skipped(entry, e.getMessage());
                answer = new byte[0];
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        listener.applied(partition, entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(answer)));
    }

    /**
     * The copy loaded the leader's snapshot. Takeovers in the entries it skipped are not heard of one by one: a
     * session this node still hosts though another node took it over finds out when the partition refuses its next
     * event ({@link ReplicatedSessionStore#movedAway}), as a node without a copy does.
     */
    @Override
    protected void reloaded() {
        listener.applied(partition, appliedIndex());
    }

    /**
     * Applies one entry of the log at {@code index} and returns its answer; package-private for tests.
     *
     * @throws IllegalArgumentException for an entry this version cannot read
     */
    synchronized byte[] apply(byte[] data, long index) {
        PartitionEntry.Reader in = new PartitionEntry.Reader(data, 0, data.length);
        byte kind = in.kind();
        if (kind == PartitionEntry.EVENTS) {
            return applyEvents(in, index);
        } else if (kind == PartitionEntry.ADOPT) {
            return applyAdoption(in, index);
        } else if (kind == PartitionEntry.RESUME) {
            return applyResumption(in.string(), index);
        } else if (kind == PartitionEntry.EVENTS_FORMAT_1) {
            throw new IllegalArgumentException("an events entry of journal record format 1, written by an older "
                    + "Gannet; this version reads format 2. Start the cluster with an empty cluster.directory");
        }
        throw new IllegalArgumentException("unknown entry kind " + kind);
    }

    private byte[] applyEvents(PartitionEntry.Reader in, long index) {
        String node = in.string();
        int takeovers = in.count();
        List<String> takenOver = new ArrayList<>(takeovers);
        for (int i = 0; i < takeovers; i++) {
            takenOver.add(in.string());
        }
        int claims = in.count();
        for (int i = 0; i < claims; i++) {
            claim(in.string(), node, !in.flag(), index);
        }
        Map<Long, String> refused = new LinkedHashMap<>();
        // The node's events before its takeovers: they were made before the client it claims for connected. A
        // session the node ended (its client started clean elsewhere, or it expired) is then gone from the answer,
        // rather than handed back to the node as it was; an event of a session the node does not own yet is
        // refused, as it was made before the node had it.
        if (in.hasMore()) {
            byte[] records = in.rest();
            table.apply(records, 0, records.length, (key, clientId) -> {
                String owner = owners.get(clientId);
                if (owner == null || owner.equals(node)) {
                    return true;
                }
                refused.putIfAbsent(key, clientId);
                return false;
            }, key -> { });
        }
        List<byte[]> answers = new ArrayList<>(takeovers);
        for (String clientId : takenOver) {
            answers.add(takeover(clientId, node, index));
        }
        return answers.isEmpty() && refused.isEmpty() ? new byte[0]
                : PartitionEntry.eventsAnswer(answers, refused);
    }

    /** {@code node} takes the session of {@code clientId} over: the answer is its owner before and its records. */
    private byte[] takeover(String clientId, String node, long index) {
        String previous = claim(clientId, node, true, index);
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        table.write(clientId::equals, CHUNK_BYTES, chunk -> records.write(chunk.array(), 0, chunk.length()));
        return PartitionEntry.takeoverAnswer(previous, index, records.toByteArray(), records.size());
    }

    private byte[] applyAdoption(PartitionEntry.Reader in, long index) {
        String node = in.string();
        String dead = in.string();
        long basis = in.number();
        Set<String> adopted = new HashSet<>();
        if (resumedAt.getOrDefault(dead, -1L) > basis) {
            // The node came back and took its sessions again after the adopter saw it down: they are not the
            // adopter's to take. Without this, a node killed and restarted quickly lost the sessions its clients
            // had just resumed there to an adoption decided while it was away.
            log.info("Session partition {}: node {} resumed its sessions at index {}, after node {} decided to adopt "
                    + "them (at {}); they stay", partition, dead, resumedAt.get(dead), node, basis);
            return PartitionEntry.indexed(index, new byte[0]);
        }
        for (Map.Entry<String, String> e : owners.entrySet()) {
            if (e.getValue().equals(dead) && table.keyOf(e.getKey()) >= 0) {
                adopted.add(e.getKey());
            }
        }
        for (String clientId : adopted) {
            claim(clientId, node, true, index);
        }
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        table.write(adopted::contains, CHUNK_BYTES, chunk -> records.write(chunk.array(), 0, chunk.length()));
        return PartitionEntry.indexed(index, records.toByteArray());
    }

    /** A restarted node takes back the sessions it still owns: the answer is their records. */
    private byte[] applyResumption(String node, long index) {
        resumedAt.put(node, index);
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        table.write(clientId -> node.equals(owners.get(clientId)), CHUNK_BYTES,
                chunk -> records.write(chunk.array(), 0, chunk.length()));
        return PartitionEntry.indexed(index, records.toByteArray());
    }

    /** Records {@code node} as the owner of the session; returns the owner before. */
    private String claim(String clientId, String node, boolean resumed, long index) {
        String previous = owners.put(clientId, node);
        if (self.equals(previous) && !self.equals(node)) {
            try {
                listener.takenOver(partition, clientId, node, resumed, index);
            } catch (RuntimeException e) {
                log.warn("Session partition {}: handing over the session of {} to {} failed here: {}", partition,
                        clientId, node, e.toString());
            }
        }
        return previous;
    }

    @Override
    public synchronized long takeSnapshot() throws IOException {
        owners.keySet().removeIf(clientId -> table.keyOf(clientId) < 0);
        return writeSnapshot(out -> {
            out.writeInt(owners.size());
            for (Map.Entry<String, String> e : owners.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(resumedAt.size());
            for (Map.Entry<String, Long> e : resumedAt.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            table.<IOException>write(clientId -> true, CHUNK_BYTES, chunk -> {
                out.writeInt(chunk.length());
                out.write(chunk.array(), 0, chunk.length());
            });
            out.writeInt(0);
        });
    }

    @Override
    protected synchronized void readState(DataInputStream in, Path file) throws IOException {
        SessionTable loaded = new SessionTable();
        Map<String, String> loadedOwners = new HashMap<>();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            loadedOwners.put(in.readUTF(), in.readUTF());
        }
        Map<String, Long> loadedResumes = new HashMap<>();
        int resumes = in.readInt();
        for (int i = 0; i < resumes; i++) {
            loadedResumes.put(in.readUTF(), in.readLong());
        }
        try {
            for (int length = in.readInt(); length > 0; length = in.readInt()) {
                byte[] chunk = new byte[length];
                in.readFully(chunk);
                loaded.apply(chunk, 0, length);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("the snapshot " + file + " of session partition " + partition + " is damaged: "
                    + e.getMessage(), e);
        }
        table = loaded;
        owners = loadedOwners;
        resumedAt = loadedResumes;
        log.info("Session partition {}: loaded snapshot {} ({} sessions, {} messages)", partition, file.getFileName(),
                table.sessionCount(), table.messageCount());
    }

    /** The index of the last entry this copy applied, or -1. */
    long appliedIndex() {
        var applied = getLastAppliedTermIndex();
        return applied == null ? -1 : applied.getIndex();
    }

    /** Sessions in this copy of the partition, for $SYS. */
    synchronized int sessions() {
        return table.sessionCount();
    }

    /** Messages those sessions hold, for $SYS. */
    synchronized long messages() {
        return table.messageCount();
    }
}
