package io.gannet.cluster;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionJournal;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.SessionStore;
import io.gannet.persistence.JournalOp;
import io.gannet.persistence.PersistentSessionJournal;
import io.gannet.persistence.SessionTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftClientReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent sessions of a cluster node, kept in the session partitions rather than in this node's journal:
 * each event of a session goes, through the {@link PartitionProposer}, to the Raft group of the partition its client
 * id hashes to, and a publisher's acknowledgement waits until a majority of that group has it. The records are the
 * journal's own ({@link PersistentSessionJournal}), so a session means the same in a partition as on one broker.
 *
 * <p>At a restart the node takes back, with a resumption entry in each partition, the sessions it still owns, and
 * rebuilds them from the answer: the partitions, not this node's disk, are where its sessions live. The entry also
 * fences off an adoption of those sessions decided while the node was away but committed only after it.
 */
final class ReplicatedSessionStore implements SessionStore, PartitionStateMachine.TakeoverListener,
        LinkServer.SessionNews {
    private static final Logger log = LoggerFactory.getLogger(ReplicatedSessionStore.class);
    /** Session keys carry the creating node's place in the node list above this bit: unique across nodes. */
    private static final int NODE_SHIFT = 56;
    private static final long SEQUENCE_MASK = (1L << NODE_SHIFT) - 1;
    /** How long a client that resumes its session here waits for its partition before it is refused (0x88). */
    private static final long CLAIM_WAIT_SECONDS = 10;
    /** How long a restart waits for the partitions to answer before it starts without what they hold. */
    private static final long RECOVERY_WAIT_SECONDS = 30;

    private final String node;
    private final PartitionProposer proposer;
    private final PartitionClients clients;
    private final boolean recover;
    /** How far this node's own copy of each partition has applied. */
    private final IntToLongFunction appliedHere;
    private final HeldSince heldSince = new HeldSince(SessionPartitions.COUNT);
    /** Tells the node that held a session this one took over that this one hosts it, its routes committed. */
    private final TellOldOwner tellOldOwner;
    /** Whether this node's routing table holds, as of a log index, the routes another node announced. */
    private final AnnouncedRoutes routesHere;
    private final long nodeBits;
    /** Keys a new run hands out start from the clock, so that they stay above those of earlier runs. */
    private final AtomicLong sequence;
    /** The keys of sessions recovered or claimed and not yet rebuilt; filled on Ratis's threads, read on loops. */
    private final Map<String, Long> recoveredKeys = new ConcurrentHashMap<>();
    /** Claims waiting for their partition, by client id. */
    private final Map<String, CompletableFuture<Optional<SessionSnapshot>>> claims = new ConcurrentHashMap<>();
    /** Sessions claimed from another node and not yet hosted here: the node each came from, by client id. */
    private final Map<String, String> claimedFrom = new ConcurrentHashMap<>();
    /** Completes once this node's routing changes so far are committed, with the log index they are known as of. */
    private final Supplier<CompletableFuture<Long>> routesCommitted;
    private volatile TakenOver takenOver = new TakenOver() {
        @Override
        public void takenOver(String clientId, boolean resumed, boolean hostedThere) {
        }

        @Override
        public void hosted(String clientId) {
        }

        @Override
        public void connectedElsewhere(String clientId, long atMillis, boolean newSession, boolean winsTies) {
        }
    };
    /** Tells every other node that a client connected here: (client id, when, whether with a new session). */
    private final ConnectedHere tellOthers;
    private volatile java.util.function.Consumer<List<SessionSnapshot>> adopted = sessions -> { };

    /**
     * @param nodeIndex this node's place in the node list
     * @param recover     whether this node ran before this start, so that it may own sessions in the partitions
     * @param appliedHere how far this node's copy of a partition has applied its log; {@link Long#MAX_VALUE} for a
     *                    partition it keeps no copy of
     * @param tellOldOwner tells the node that held a session this one took over that it hosts it now
     * @param routesCommitted completes once this node's routing changes made so far are committed, with the log index
     *                    they are known as of
     * @param routesHere  whether this node's routing table holds another node's routes as of a log index
     * @param tellOthers   tells every other node of a client that connected here
     */
    ReplicatedSessionStore(String node, int nodeIndex, PartitionProposer proposer, PartitionClients clients,
                           boolean recover, IntToLongFunction appliedHere, TellOldOwner tellOldOwner,
                           Supplier<CompletableFuture<Long>> routesCommitted, AnnouncedRoutes routesHere,
                           ConnectedHere tellOthers) {
        this.node = node;
        this.proposer = proposer;
        this.clients = clients;
        this.recover = recover;
        this.appliedHere = appliedHere;
        this.tellOldOwner = tellOldOwner;
        this.routesCommitted = routesCommitted;
        this.routesHere = routesHere;
        this.tellOthers = tellOthers;
        this.nodeBits = (long) (nodeIndex + 1) << NODE_SHIFT;
        this.sequence = new AtomicLong((System.currentTimeMillis() << 10) & SEQUENCE_MASK);
        proposer.onMoved(this::movedAway);
    }

    @Override
    public List<SessionSnapshot> recoverSessions() {
        if (!recover) {
            return List.of(); // a node's first start: it owns nothing yet
        }
        List<CompletableFuture<RaftClientReply>> asked = new ArrayList<>(SessionPartitions.COUNT);
        // An entry, not a read: it fences off an adoption of these sessions that was decided while this node was
        // away and is committed only now.
        org.apache.ratis.protocol.Message resume = message(PartitionEntry.resume(node));
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            asked.add(clients.send(p, resume));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RECOVERY_WAIT_SECONDS);
        List<SessionSnapshot> out = new ArrayList<>();
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            RaftClientReply reply;
            try {
                reply = asked.get(p).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while recovering sessions from the cluster", e);
            } catch (Exception e) {
                log.error("Session partition {} did not answer within {} s ({}): this node starts without the "
                        + "sessions it owns there", p, RECOVERY_WAIT_SECONDS, e.toString());
                continue;
            }
            if (!reply.isSuccess()) {
                log.error("Session partition {} refused to answer ({}): this node starts without the sessions it "
                        + "owns there", p, reply.getException());
                continue;
            }
            byte[] answer = reply.getMessage().getContent().toByteArray();
            PartitionEntry.Reader in = new PartitionEntry.Reader(answer, 0, answer.length);
            long asOf = in.number();
            byte[] records = in.rest();
            SessionTable table = new SessionTable();
            table.apply(records, 0, records.length);
            for (SessionSnapshot s : table.snapshots(clientId -> true)) {
                hold(p, s.clientId(), asOf, table);
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public SessionJournal created(String clientId, SessionOwner owner, long expirySeconds, Message will,
                                  long willDelaySeconds) {
        long key = nodeBits | (sequence.incrementAndGet() & SEQUENCE_MASK);
        PartitionProposer.Sink sink = proposer.sink(SessionPartitions.partitionOf(clientId));
        sink.claim(clientId, true);
        sink.submit(new JournalOp.Created(key, clientId, owner, expirySeconds, will, willDelaySeconds));
        return new PersistentSessionJournal(key, sink);
    }

    /**
     * Kept as a session with expiry 0, which the node that adopts this one's sessions rebuilds only to publish its
     * will (its session ends at once, as it would have with its connection). It costs one record when the client
     * connects and one when it goes; no publisher waits for either.
     */
    @Override
    public SessionJournal createdWithWill(String clientId, SessionOwner owner, Message will, long willDelaySeconds) {
        return created(clientId, owner, 0, will, willDelaySeconds);
    }

    @Override
    public boolean isShared() {
        return true;
    }

    /**
     * Claims the session with a takeover in its partition's next entry, which answers with the session as it stands
     * once committed: from then on the partition takes the session's events from this node only, so nothing the old
     * owner still sends can change what is rebuilt here. A client that tries again while its claim waits shares it.
     */
    @Override
    public CompletableFuture<Optional<SessionSnapshot>> claim(String clientId) {
        CompletableFuture<Optional<SessionSnapshot>> claimed = claims.compute(clientId, (id, waiting) ->
                waiting != null && !waiting.isDone() ? waiting
                        : proposer.sink(SessionPartitions.partitionOf(id)).takeover(id)
                                .thenApply(answer -> rebuilt(id, answer)));
        claimed.whenComplete((found, error) -> claims.remove(clientId, claimed));
        CompletableFuture<Optional<SessionSnapshot>> answer = claimed.copy()
                .orTimeout(CLAIM_WAIT_SECONDS, TimeUnit.SECONDS);
        // The claim may still commit after its client was refused for the wait: this node owns the session then,
        // and hosts it without a client (as an adopted one) rather than leave it to nobody. A client that connected
        // again meanwhile finds it here.
        claimed.thenAccept(found -> {
            if (answer.isCompletedExceptionally()) {
                // Its old node lets go of it by its deadline: rare enough not to tell it.
                claimedFrom.remove(clientId);
                found.ifPresent(s -> adopted.accept(List.of(s)));
            }
        });
        return answer;
    }

    /** The session a takeover's answer holds, its key kept for {@link #recovered}. */
    private Optional<SessionSnapshot> rebuilt(String clientId, byte[] answer) {
        PartitionEntry.Reader in = new PartitionEntry.Reader(answer, 0, answer.length);
        String previous = in.string();
        long index = in.number();
        byte[] records = in.rest();
        if (records.length == 0) {
            return Optional.empty();
        }
        SessionTable table = new SessionTable();
        table.apply(records, 0, records.length);
        List<SessionSnapshot> found = table.snapshots(clientId::equals);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        hold(SessionPartitions.partitionOf(clientId), clientId, index, table);
        if (!previous.isEmpty() && !previous.equals(node)) {
            log.info("Took over the session of client {} from node {}", clientId, previous);
            claimedFrom.put(clientId, previous);
        }
        return Optional.of(found.get(0));
    }

    /**
     * The session claimed for {@code clientId} is rebuilt here and its filters counted: once the routes they changed
     * are committed, the node it came from is told, and lets go of it (it held the session's subscriptions until
     * then, failing what reached them, so that no message meant for the session was acknowledged by nobody).
     */
    @Override
    public void hosting(String clientId) {
        String previous = claimedFrom.remove(clientId);
        if (previous != null) {
            routesCommitted.get().thenAccept(routesAt -> tellOldOwner.tell(previous, clientId, routesAt));
        }
    }

    @Override
    public void onTakenOver(TakenOver listener) {
        this.takenOver = listener;
    }

    /**
     * Takes over, in one partition this node leads, every session that a node found down owned, and hands them to
     * the broker to host until their clients return: their subscriptions keep receiving, their wills go out with
     * their delays. Blocks until the partition answers; called on the cluster's watch thread.
     *
     * @param basis how far this node's copy of the partition had applied when the node was found down: a
     *              resumption of the node's sessions after that refuses the adoption
     * @return how many sessions were adopted
     */
    int adopt(String deadNode, int partition, long basis) throws Exception {
        var reply = clients.send(partition, message(PartitionEntry.adopt(node, deadNode, basis)))
                .get(RECOVERY_WAIT_SECONDS, TimeUnit.SECONDS);
        if (!reply.isSuccess()) {
            throw new IllegalStateException("session partition " + partition + " refused the adoption: "
                    + reply.getException());
        }
        byte[] answer = reply.getMessage().getContent().toByteArray();
        PartitionEntry.Reader in = new PartitionEntry.Reader(answer, 0, answer.length);
        long index = in.number();
        byte[] records = in.rest();
        if (records.length == 0) {
            return 0;
        }
        SessionTable table = new SessionTable();
        table.apply(records, 0, records.length);
        List<SessionSnapshot> found = table.snapshots(clientId -> true);
        for (SessionSnapshot s : found) {
            hold(partition, s.clientId(), index, table);
        }
        adopted.accept(found);
        log.info("Adopted {} sessions of node {}, which is down, in session partition {}", found.size(), deadNode,
                partition);
        return found.size();
    }

    @Override
    public void onAdopted(java.util.function.Consumer<List<SessionSnapshot>> host) {
        this.adopted = host;
    }

    /** How far this node's copy of the partition has applied its log; {@link Long#MAX_VALUE} without a copy. */
    long appliedHere(int partition) {
        return appliedHere.applyAsLong(partition);
    }

    /** This node holds the session from the partition's log index {@code index}; its key is kept for {@link #recovered}. */
    private void hold(int partition, String clientId, long index, SessionTable table) {
        heldSince.held(partition, clientId, index, appliedHere.applyAsLong(partition));
        recoveredKeys.put(clientId, table.keyOf(clientId));
    }

    /**
     * This node's copy of a partition applied another node's claim of a session this node owned, at {@code index}:
     * unless this node has taken the session back since (the copy lags behind what the leader told it), the session
     * ends here.
     */
    @Override
    public void takenOver(int partition, String clientId, String byNode, boolean resumed, long index) {
        if (heldSince.stale(partition, clientId, index)) {
            log.debug("Client {}: node {} took its session at index {} of partition {}, before this node took it back",
                    clientId, byNode, index, partition);
            return;
        }
        log.info("Client {} connected to node {}, which took its session over", clientId, byNode);
        takenOver.takenOver(clientId, resumed, false);
    }

    /**
     * Another node owns a session this node holds, and the partition refused the session's events from here: this
     * node keeps no copy of the partition, or its copy has not applied the takeover yet. The client connected here,
     * if any, is closed with 0x8E and resumes where it reconnects; the session is handed over until its new node
     * says it hosts it ({@link #hostedThere}).
     */
    void movedAway(String clientId) {
        log.info("Client {}: another node owns its session now (session partition {}); it ends here", clientId,
                SessionPartitions.partitionOf(clientId));
        takenOver.takenOver(clientId, true, false);
    }

    /**
     * Node {@code host}, which took over the session of {@code clientId} from this one, says over a link that it
     * hosts it and routes its filters as of metadata log index {@code routesAt}: once this node's table holds those
     * routes (applied that far, and not dropped since: {@link AnnouncedRoutes}), so that its own publishers route to
     * the session's new node, the session's handing over ends here.
     * A node that keeps no copy of the session's partition may not have heard of the takeover at all: it ends the
     * session then, closing its client with 0x8E (a client that, in that moment, started a new session of the same
     * client id here is closed too, and simply reconnects). A node with a copy hears of the takeover from its copy,
     * which knows whether it is stale.
     */
    @Override
    public void hostedThere(String host, String clientId, long routesAt) {
        routesHere.reached(host, routesAt).thenRun(() -> {
            if (appliedHere.applyAsLong(SessionPartitions.partitionOf(clientId)) == Long.MAX_VALUE) {
                log.info("Client {}: node that resumed its session hosts it now; it ends here", clientId);
                takenOver.takenOver(clientId, true, true);
            } else {
                takenOver.hosted(clientId);
            }
        });
    }

    /**
     * Every other node hears of it, and closes an older connection of the same client id [MQTT-3.1.4-3]: the
     * partitions make a persistent session's owner unique, but keep nothing of a clean session without a will
     * (a record per connection cost too much), so only this word, one small frame per node, makes such a client id
     * unique across the cluster. Best effort: a node whose link is down at that moment does not hear of it.
     */
    @Override
    public void attached(String clientId, long atMillis, boolean sessionPresent) {
        tellOthers.connected(clientId, atMillis, !sessionPresent);
    }

    /**
     * A client connected to another node: an older connection of its client id here is closed with 0x8E. The clocks
     * of the nodes decide which is older, and for the same millisecond the node whose id sorts last keeps its own.
     */
    @Override
    public void connectedThere(String otherNode, String clientId, long atMillis, boolean newSession) {
        takenOver.connectedElsewhere(clientId, atMillis, newSession, otherNode.compareTo(node) > 0);
    }

    @Override
    public void applied(int partition, long index) {
        heldSince.applied(partition, index);
    }

    /**
     * This node starts a copy of {@code partition} it had none of (the partition moved here): the copy will apply
     * the partition's older entries, whose takeovers this node heard of over the links while it had no copy.
     */
    void copyStarted(int partition) {
        heldSince.copyStarted(partition);
    }

    private static org.apache.ratis.protocol.Message message(byte[] bytes) {
        return org.apache.ratis.protocol.Message.valueOf(
                org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations.unsafeWrap(bytes));
    }

    @Override
    public SessionJournal recovered(SessionSnapshot snapshot) {
        Long key = recoveredKeys.remove(snapshot.clientId());
        if (key == null) {
            throw new IllegalArgumentException("no recovered session of client " + snapshot.clientId());
        }
        return new PersistentSessionJournal(key, proposer.sink(SessionPartitions.partitionOf(snapshot.clientId())));
    }

    /** How this node tells the node a session was taken over from that this one hosts it now. */
    @FunctionalInterface
    interface TellOldOwner {
        /** @param routesAt the metadata log index as of which the session's routes to this node are known */
        void tell(String oldOwner, String clientId, long routesAt);
    }

    /** How this node tells the others of a client that connected here. */
    @FunctionalInterface
    interface ConnectedHere {
        void connected(String clientId, long atMillis, boolean newSession);
    }
}
