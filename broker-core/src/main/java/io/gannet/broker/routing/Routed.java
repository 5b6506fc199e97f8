package io.gannet.broker.routing;

import java.util.concurrent.CompletableFuture;

/**
 * What routing one message came to, as its publisher's acknowledgement needs it. Known when {@code route} returns,
 * without asking other nodes: a cluster router counts another node with matching subscribers (which its replicated
 * routing table knows) as one.
 *
 * @param receivers the sessions of this broker the message was handed to, plus, in a cluster, the other nodes it
 *                  was sent to; 0 tells a 5.0 publisher "no matching subscribers" (0x10)
 * @param stored    completes once every persistent session the message reached keeps it (their journals wrote it);
 *                  {@code null} when there is nothing to wait for, as always without a durable store
 */
public record Routed(int receivers, CompletableFuture<Void> stored) {
    /** Answers for the common fan-outs, so that routing to clean sessions allocates none. */
    private static final Routed[] DONE = new Routed[64];

    static {
        for (int i = 0; i < DONE.length; i++) {
            DONE[i] = new Routed(i, null);
        }
    }

    public static final Routed NO_SUBSCRIBERS = DONE[0];

    /** Handed to {@code receivers}, with nothing to wait for. */
    public static Routed delivered(int receivers) {
        return receivers < DONE.length ? DONE[receivers] : new Routed(receivers, null);
    }

    /** Not routed: {@code failure} (failed already) says why, and refuses the publisher's QoS 1 or 2 message. */
    public static Routed refused(CompletableFuture<Void> failure) {
        return new Routed(0, failure);
    }

    /** The same answer with {@code more} receivers: the other nodes a cluster sent the message to. */
    public Routed plus(int more) {
        return stored == null ? delivered(receivers + more) : new Routed(receivers + more, stored);
    }

    public boolean matched() {
        return receivers > 0;
    }

    /** The same answer, waiting for {@code more} as well (a retained message's store, say); {@code null}: nothing. */
    public Routed alsoWaitingFor(CompletableFuture<Void> more) {
        if (more == null) {
            return this;
        }
        return new Routed(receivers, stored == null ? more : CompletableFuture.allOf(stored, more));
    }
}
