package io.gannet.broker.routing;

import io.gannet.broker.message.Message;
import io.gannet.broker.session.Session;
import io.gannet.broker.shared.SharedGroup;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One message's way out: deliveries on this loop at once, the others batched per event loop. What a QoS 1 or 2
 * publisher's acknowledgement waits for: nothing when no persistent session got the message; the journal's own
 * completion when one session on this loop did (the usual case of a persistent subscriber); else a
 * {@link StoredGate} that expects every persistent session.
 */
final class Dispatch {
    private Message message;
    private ByteBuf payload;
    private List<LocalRouter.RemoteDelivery> remote;
    private StoredGate gate;
    /**
     * The completion of the one persistent session on this loop that kept the message, while it is the only one:
     * handed to the publisher as it is, with no gate between (which cost the journal's writer a second completion
     * per message).
     */
    private CompletableFuture<Void> single;

    Dispatch begin(Message m, ByteBuf sharedPayload) {
        message = m;
        payload = sharedPayload;
        remote = null;
        gate = null;
        single = null;
        return this;
    }

    void deliver(Session s, int qos, boolean retain, int[] ids, SharedGroup group) {
        EventLoop loop = s.owner();
        if (loop.inEventLoop()) {
            CompletableFuture<Void> stored = s.outbound().deliver(message, qos, retain, ids, group, payload);
            if (stored != null) {
                if (gate == null && single == null) {
                    single = stored;
                } else {
                    StoredGate g = gate();
                    g.expect();
                    g.arriveWhen(stored);
                }
            }
            return;
        }
        // The session's journal is written on its own loop: wait for it only where one keeps the message.
        StoredGate waitFor = qos > 0 && s.isDurable() ? gate() : null;
        if (waitFor != null) {
            waitFor.expect();
        }
        batchFor(loop).add(s, qos, retain, ids, group, waitFor);
    }

    /** The gate, made when a second persistent session is expected; the first one's completion goes into it. */
    private StoredGate gate() {
        if (gate == null) {
            gate = new StoredGate();
            if (single != null) {
                gate.expect();
                gate.arriveWhen(single);
                single = null;
            }
        }
        return gate;
    }

    private LocalRouter.RemoteDelivery batchFor(EventLoop loop) {
        if (remote == null) {
            remote = new ArrayList<>(2);
        }
        for (LocalRouter.RemoteDelivery r : remote) {
            if (r.loop == loop) {
                return r;
            }
        }
        LocalRouter.RemoteDelivery batch = new LocalRouter.RemoteDelivery(loop, message, payload == null ? null : payload.retain());
        remote.add(batch);
        return batch;
    }

    /**
     * Hands the batches to their loops. Forgets the message.
     *
     * @return what the publisher's acknowledgement waits for, or {@code null} for nothing
     */
    CompletableFuture<Void> handOff() {
        if (remote != null) {
            for (LocalRouter.RemoteDelivery r : remote) {
                try {
                    r.loop.execute(r);
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    r.abandon(shuttingDown);
                }
            }
        }
        CompletableFuture<Void> kept = gate != null ? gate.armed() : single;
        begin(null, null);
        return kept;
    }
}
