package io.gannet.broker.routing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Completes once every persistent session a message was routed to has it in its journal: each such delivery is
 * expected, on the publisher's loop, before it is handed to its session's loop, and arrives there (or fails). Made
 * only for a message that reaches more than one persistent session, or one on another event loop: routing among
 * clean sessions allocates none, and one persistent session on the publisher's loop hands its journal's completion
 * over as it is.
 */
final class StoredGate extends CompletableFuture<Void> implements BiConsumer<Void, Throwable> {
    /** Deliveries still to arrive, plus one that the router holds until it has handed every delivery out. */
    private final AtomicInteger pending = new AtomicInteger(1);

    void expect() {
        pending.incrementAndGet();
    }

    /** A delivery arrived (its journal kept it); {@code error} when the journal failed. */
    @Override
    public void accept(Void ignored, Throwable error) {
        if (error != null) {
            completeExceptionally(error);
        } else if (pending.decrementAndGet() == 0) {
            complete(null);
        }
    }

    /** The delivery a session answered: arrives now, or when its journal's completion does. */
    void arriveWhen(CompletableFuture<Void> stored) {
        if (stored == null) {
            accept(null, null);
        } else {
            stored.whenComplete(this);
        }
    }

    /** The router handed out every delivery. */
    StoredGate armed() {
        accept(null, null);
        return this;
    }
}
