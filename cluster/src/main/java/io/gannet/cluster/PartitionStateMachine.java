package io.gannet.cluster;

import io.gannet.persistence.SessionTable;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session partition as its Raft log builds it, the same on each of its members: the persistent sessions whose
 * client ids hash here, in the journal's own records and state ({@link SessionTable}), and the node that owns each
 * (the one its client is connected to, or was last). An entry is a {@link PartitionEntry}: the sessions a node
 * claims, then the records of their events. A read-only query gives a node back the sessions it owns, as records,
 * to rebuild them after a restart.
 *
 * <p>Ratis applies entries on one thread and answers queries on others: both take this object's lock, which is
 * never on a publisher's path (the event loops only queue events for the {@link PartitionProposer}).
 */
final class PartitionStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(PartitionStateMachine.class);
    /** The snapshot file's own format, checked when it is loaded. */
    private static final int SNAPSHOT_FORMAT = 1;
    /** Records per chunk of a snapshot or a query's answer. */
    private static final int CHUNK_BYTES = 1 << 20;

    private final int partition;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final AtomicLong unreadable = new AtomicLong();
    private SessionTable table = new SessionTable();
    /** Client id to the node that owns its session; entries of ended sessions are dropped at snapshots. */
    private Map<String, String> owners = new HashMap<>();

    PartitionStateMachine(int partition) {
        this.partition = partition;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.loadLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ByteBuffer data = entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
        synchronized (this) {
            try {
                PartitionEntry.apply(data, owners, table);
            } catch (IllegalArgumentException e) {
                // Every member skips the same entry (or the same rest of it), so the copies stay the same.
                unreadable.incrementAndGet();
                log.error("Session partition {}: skipped (part of) entry {}: {}", partition, TermIndex.valueOf(entry),
                        e.getMessage());
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** A read-only query: {@link PartitionEntry#ownedBy} answers with the records of that node's sessions. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        try {
            String node = PartitionEntry.queriedNode(request.getContent().asReadOnlyByteBuffer());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            synchronized (this) {
                table.write(clientId -> node.equals(owners.get(clientId)), CHUNK_BYTES,
                        chunk -> out.write(chunk.array(), 0, chunk.length()));
            }
            return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(
                    out.toByteArray())));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        synchronized (this) {
            TermIndex applied = getLastAppliedTermIndex();
            if (applied == null || applied.getIndex() < 0) {
                return -1;
            }
            owners.keySet().removeIf(clientId -> table.keyOf(clientId) < 0);
            File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(file.toPath())))) {
                out.writeInt(SNAPSHOT_FORMAT);
                out.writeInt(owners.size());
                for (Map.Entry<String, String> e : owners.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeUTF(e.getValue());
                }
                table.<IOException>write(clientId -> true, CHUNK_BYTES, chunk -> {
                    out.writeInt(chunk.length());
                    out.write(chunk.array(), 0, chunk.length());
                });
                out.writeInt(0);
            }
            FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
            storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, applied));
            return applied.getIndex();
        }
    }

    private synchronized void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            return;
        }
        Path path = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), snapshot.getFile().getFileDigest());
        }
        SessionTable loaded = new SessionTable();
        Map<String, String> loadedOwners = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            int format = in.readInt();
            if (format != SNAPSHOT_FORMAT) {
                throw new IOException("the session partition snapshot " + path + " has format " + format + "; this "
                        + "version reads " + SNAPSHOT_FORMAT);
            }
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                loadedOwners.put(in.readUTF(), in.readUTF());
            }
            for (int length = in.readInt(); length > 0; length = in.readInt()) {
                byte[] chunk = new byte[length];
                in.readFully(chunk);
                loaded.apply(chunk, 0, length);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("the session partition snapshot " + path + " is damaged: " + e.getMessage(), e);
        }
        table = loaded;
        owners = loadedOwners;
        updateLastAppliedTermIndex(SimpleStateMachineStorage.getTermIndexFromSnapshotFile(path.toFile()));
        log.info("Session partition {}: loaded snapshot {} ({} sessions, {} messages)", partition, path.getFileName(),
                table.sessionCount(), table.messageCount());
    }

    /** Sessions in this copy of the partition, for $SYS. */
    synchronized int sessions() {
        return table.sessionCount();
    }

    /** Messages those sessions hold, for $SYS. */
    synchronized long messages() {
        return table.messageCount();
    }

    long unreadableEntries() {
        return unreadable.get();
    }
}
