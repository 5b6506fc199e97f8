package io.gannet.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A state machine whose snapshot is one file: a format number, then the state as the subclass writes it, with
 * Ratis's MD5 beside it. Loads the newest snapshot when Ratis starts the group or installs one from the leader,
 * and counts the entries it could not read, so that an operator sees a node that is older than the entries it gets.
 *
 * <p>A follower that fell behind the leader's log (it was away while the leader took a snapshot and dropped the
 * entries before it) gets the leader's snapshot instead. Ratis pauses the state machine, puts the snapshot's files
 * in place and reloads it; its applying thread checks that the machine is paused first, and closes the group on this
 * node when it is not. So this class keeps its life cycle as Ratis expects: running once started, paused for an
 * install, running again once reloaded.
 */
abstract class FileSnapshotStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(FileSnapshotStateMachine.class);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final AtomicLong unreadable = new AtomicLong();
    private final String name;
    private final int format;

    /** The state written into a snapshot. */
    @FunctionalInterface
    interface StateWriter {
        void write(DataOutputStream out) throws IOException;
    }

    /**
     * @param name   what the state is, for logs and errors ("the cluster", "session partition 3")
     * @param format the snapshot format this version writes and reads
     */
    FileSnapshotStateMachine(String name, int format) {
        this.name = name;
        this.format = format;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        // Not new when the group is formed again on this node (MetadataGroup#join): running already.
        boolean first = getLifeCycleState() == LifeCycle.State.NEW;
        if (first) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
        }
        loadLatest();
        if (first) {
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    /** Ratis is about to install the leader's snapshot: nothing is applied until {@link #reinitialize}. */
    @Override
    public synchronized void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** Loads the snapshot Ratis installed from the leader, which replaces the whole state. */
    @Override
    public synchronized void reinitialize() throws IOException {
        loadLatest();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
        log.warn("{}: this node was behind the leader's log and loaded the leader's snapshot, as of entry {}", name,
                getLastAppliedTermIndex());
        reloaded();
    }

    /**
     * The state was replaced by a snapshot from the leader, skipping the entries between: what follows them from the
     * entries one by one has to catch up. On Ratis's applying thread; nothing by default.
     */
    protected void reloaded() {
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /** Replaces the state with the one a snapshot file holds after its format number. */
    protected abstract void readState(DataInputStream in, Path file) throws IOException;

    /**
     * Writes the state as of the last applied entry. The caller holds what keeps the state and that index together
     * (Ratis's applying thread, or the subclass's lock).
     *
     * @return the index the snapshot covers, or -1 when nothing was applied yet
     */
    protected final long writeSnapshot(StateWriter state) throws IOException {
        TermIndex applied = getLastAppliedTermIndex();
        if (applied == null || applied.getIndex() < 0) {
            return -1;
        }
        File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(file.toPath())))) {
            out.writeInt(format);
            state.write(out);
        }
        FileInfo info = new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file));
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(info, applied));
        return applied.getIndex();
    }

    private void loadLatest() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            return;
        }
        Path path = snapshot.getFile().getPath();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), snapshot.getFile().getFileDigest());
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            int found = in.readInt();
            if (found != format) {
                throw new IOException("the snapshot " + path + " of " + name + " has format " + found
                        + "; this version reads " + format);
            }
            readState(in, path);
        }
        updateLastAppliedTermIndex(SimpleStateMachineStorage.getTermIndexFromSnapshotFile(path.toFile()));
    }

    /**
     * An entry (or the rest of it) could not be read: every member skips the same, so the copies stay the same; the
     * node that wrote it runs another version than this one, and an operator has to see it.
     */
    protected final void skipped(LogEntryProto entry, String why) {
        unreadable.incrementAndGet();
        log.error("{}: skipped (part of) entry {}: {}", name, TermIndex.valueOf(entry), why);
    }

    /** Entries this node could not read, for $SYS. */
    final long unreadableEntries() {
        return unreadable.get();
    }
}
