package io.gannet.cluster;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.store.RetainedJournal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retained messages of the whole cluster. Each change a client makes on this node goes to the node's own
 * journal (a durable store, when there is one) and is proposed to the metadata group; every node applies the
 * committed changes, in log order, to its own retained messages. A topic retained on two nodes at once ends with
 * the same message everywhere: the one the log holds last.
 *
 * <p>The node's retained messages take a change at once, before it commits, so its own clients see it without
 * waiting for the cluster; a node without a majority keeps its clients' changes and proposes them until they commit.
 * Topics that begin with {@code $} stay on their node.
 */
final class ReplicatedRetained implements RetainedJournal {
    /** Set while a committed change is applied, so that applying it does not propose it again. */
    private static final ThreadLocal<Boolean> APPLYING = ThreadLocal.withInitial(() -> false);

    private final String nodeId;
    private final MetadataProposer proposer;
    private volatile RetainedJournal local = RetainedJournal.NONE;
    private volatile RetainedStore store;
    /** What the log holds, by topic: the state a snapshot writes. Changed on the applying thread; $SYS reads its size. */
    private final Map<String, Message> committed = new ConcurrentHashMap<>();

    ReplicatedRetained(String nodeId, MetadataProposer proposer) {
        this.nodeId = nodeId;
        this.proposer = proposer;
    }

    /** This node's own journal of retained messages, which every change also goes to. */
    ReplicatedRetained wrapping(RetainedJournal journal) {
        this.local = journal;
        return this;
    }

    /** The node's retained messages, which committed changes are applied to. */
    void attach(RetainedStore retained) {
        this.store = retained;
    }

    @Override
    public List<Message> recoverRetained() {
        return local.recoverRetained();
    }

    @Override
    public CompletableFuture<Void> stored(Message message) {
        if (!APPLYING.get() && !message.topic().startsWith("$")) {
            proposer.propose(new MetadataChange.Retain(nodeId, message));
        }
        return local.stored(message);
    }

    @Override
    public CompletableFuture<Void> cleared(String topic) {
        if (!APPLYING.get() && !topic.startsWith("$")) {
            proposer.propose(new MetadataChange.Clear(nodeId, topic));
        }
        return local.cleared(topic);
    }

    /** A committed retain: on the thread that applies the log. */
    void apply(MetadataChange.Retain r) {
        committed.put(r.message().topic(), r.message());
        putLocally(r.message());
    }

    /** A committed clear: on the thread that applies the log. */
    void apply(MetadataChange.Clear c) {
        committed.remove(c.topic());
        putLocally(new Message(c.topic(), 0, true, new byte[0], MqttProperties.EMPTY, c.node()));
    }

    /** The committed retained messages, for a snapshot; on the thread that applies the log. */
    List<Message> snapshot() {
        return new ArrayList<>(committed.values());
    }

    /** Loads a snapshot's retained messages; on the thread that applies the log. */
    void restore(List<Message> messages) {
        committed.clear();
        for (Message m : messages) {
            committed.put(m.topic(), m);
            putLocally(m);
        }
    }

    int size() {
        return committed.size();
    }

    private void putLocally(Message m) {
        RetainedStore s = store;
        if (s == null) {
            return;
        }
        APPLYING.set(true);
        try {
            s.put(m);
        } finally {
            APPLYING.set(false);
        }
    }
}
