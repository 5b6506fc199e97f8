package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's Raft clients of the session partitions, which follow the partitions as they move (ADR 16, step 3).
 *
 * <p>A Ratis client finds a group's leader from any member it asks (a follower's "not the leader" names the leader
 * and the members), but a node that holds no copy of the group answers with {@link GroupMismatchException}, which
 * the client does not try again. So each partition's client lists the nodes the metadata log says hold it, and is
 * built again when they change; and a request that still meets a node without a copy (the log has moved the
 * partition and that node deleted its copy before this node applied the move) is sent again shortly, to each node
 * holding a copy in turn. Such a node did not take the request, so sending it again cannot apply it twice.
 */
final class PartitionClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartitionClients.class);
    /** How long a client replaced by a move stays open, for the request it may still have in flight. */
    private static final long RETIRE_SECONDS = 60;
    private static final Executor RETRY_DELAY = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
    private static final Executor RETIRE_DELAY = CompletableFuture.delayedExecutor(RETIRE_SECONDS, TimeUnit.SECONDS);

    /** A client and the copies it was built for. */
    private record Built(RaftClient client, List<String> copies) {
    }

    private final SessionPartitions partitions;
    private final Function<String, ClusterConfig.Node> address;
    private final ClusterTls tls;
    private final AtomicReferenceArray<Built> built = new AtomicReferenceArray<>(SessionPartitions.COUNT);
    private volatile boolean closed;

    /** @param address where a node is, by id, or {@code null} for one this node does not know of */
    PartitionClients(SessionPartitions partitions, Function<String, ClusterConfig.Node> address, ClusterTls tls) {
        this.partitions = partitions;
        this.address = address;
        this.tls = tls;
    }

    /** The client of partition {@code p}, for the nodes that hold it now. */
    RaftClient get(int p) {
        while (true) {
            Built b = built.get(p);
            List<String> copies = partitions.copies(p);
            if (b != null && b.copies() == copies) { // replaced, never changed, when the log moves the partition
                return b.client();
            }
            Built next = new Built(MetadataGroup.newClient(RaftGroup.valueOf(SessionPartitions.groupId(p),
                    peers(copies)), tls), copies);
            if (built.compareAndSet(p, b, next)) {
                if (b != null) {
                    RETIRE_DELAY.execute(() -> MetadataGroup.closeClient(b.client(), "session partition " + p));
                }
                return next.client();
            }
            MetadataGroup.closeClient(next.client(), "session partition " + p);
        }
    }

    /**
     * Sends {@code message} to partition {@code p} as a new entry; completes as the partition answers, or as Ratis
     * gives up on it for another reason than a node without a copy.
     */
    CompletableFuture<RaftClientReply> send(int p, Message message) {
        CompletableFuture<RaftClientReply> result = new CompletableFuture<>();
        attempt(p, message, get(p), 0, result);
        return result;
    }

    private void attempt(int p, Message message, RaftClient client, int tries,
                         CompletableFuture<RaftClientReply> result) {
        client.async().send(message).whenComplete((reply, error) -> {
            if (tries > 0) {
                MetadataGroup.closeClient(client, "session partition " + p); // one made for this try
            }
            Throwable failed = error != null ? error : reply.isSuccess() ? null : reply.getException();
            if (noCopy(failed) && !closed) {
                if (tries == 0) {
                    // Ratis closed the client's window for good with that answer: the partition gets a new one.
                    retire(p, client);
                    log.debug("Session partition {}: a node without a copy answered; asking the others", p);
                }
                RETRY_DELAY.execute(() -> {
                    try {
                        attempt(p, message, clientFor(p, tries + 1), tries + 1, result);
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
            } else if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(reply);
            }
        });
    }

    /** A client for one try, which asks first the node holding a copy that comes next in turn. */
    private RaftClient clientFor(int p, int tries) {
        List<RaftPeer> peers = peers(partitions.copies(p));
        RaftGroup group = RaftGroup.valueOf(SessionPartitions.groupId(p), peers);
        RaftPeerId first = peers.isEmpty() ? null : peers.get(tries % peers.size()).getId();
        return MetadataGroup.newClient(group, first, tls);
    }

    private List<RaftPeer> peers(List<String> ids) {
        List<RaftPeer> peers = new ArrayList<>(ids.size());
        for (String id : ids) {
            ClusterConfig.Node n = address.apply(id);
            if (n != null) {
                peers.add(MetadataGroup.peer(n));
            }
        }
        return peers;
    }

    /** Drops {@code client} as the partition's client, if it still is: the next request gets a new one. */
    private void retire(int p, RaftClient client) {
        Built b = built.get(p);
        if (b != null && b.client() == client && built.compareAndSet(p, b, null)) {
            RETIRE_DELAY.execute(() -> MetadataGroup.closeClient(client, "session partition " + p));
        }
    }

    /** Whether a node without a copy of the group answered: Ratis reports it as the cause of its own exceptions. */
    private static boolean noCopy(Throwable t) {
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
            if (t instanceof GroupMismatchException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            Built b = built.getAndSet(p, null);
            if (b != null) {
                MetadataGroup.closeClient(b.client(), "session partition " + p);
            }
        }
    }
}
