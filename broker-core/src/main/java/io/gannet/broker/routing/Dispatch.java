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
 * One message's way out: deliveries on this loop at once, the others batched per event loop. Persistent sessions
 * of a QoS 1 or 2 message are expected in a {@link StoredGate}.
 */
final class Dispatch {
    private Message message;
    private ByteBuf payload;
    private List<LocalRouter.RemoteDelivery> remote;
    private StoredGate gate;

    Dispatch begin(Message m, ByteBuf sharedPayload) {
        message = m;
        payload = sharedPayload;
        remote = null;
        gate = null;
        return this;
    }

    void deliver(Session s, int qos, boolean retain, int[] ids, SharedGroup group) {
        EventLoop loop = s.owner();
        if (loop.inEventLoop()) {
            CompletableFuture<Void> stored = s.outbound().deliver(message, qos, retain, ids, group, payload);
            if (stored != null) {
                gate().expect();
                gate.arriveWhen(stored);
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

    private StoredGate gate() {
        if (gate == null) {
            gate = new StoredGate();
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

    /** Hands the batches to their loops; returns the gate, or null. Forgets the message. */
    StoredGate handOff() {
        if (remote != null) {
            for (LocalRouter.RemoteDelivery r : remote) {
                try {
                    r.loop.execute(r);
                } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                    r.abandon(shuttingDown);
                }
            }
        }
        StoredGate g = gate;
        begin(null, null);
        return g;
    }
}
