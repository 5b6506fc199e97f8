package io.gannet.broker.testing;

import io.gannet.broker.Broker;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.RetainedJournal;
import io.gannet.broker.store.SessionJournal;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.SessionStore;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.Stores;
import io.gannet.broker.store.SubscriptionRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store for tests: it writes every event that leaves the core into a list per client id, in a short readable
 * form ("queued 0 t qos=1 'm'", "sent 0 id=1", "puback 1"), hands back the snapshots it was given at start, and can
 * hold back the completions that guard acknowledgements, as a store still writing would.
 */
public final class RecordingStore implements SessionStore, RetainedJournal {
    private final Map<String, List<String>> events = new ConcurrentHashMap<>();
    private final List<String> retainedEvents = Collections.synchronizedList(new ArrayList<>());
    private final List<SessionSnapshot> snapshots;
    private final List<Message> retained;
    private final List<CompletableFuture<Void>> held = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean holding;

    public RecordingStore() {
        this(List.of(), List.of());
    }

    /** A store that hands back these sessions and retained messages at start. */
    public RecordingStore(List<SessionSnapshot> snapshots, List<Message> retained) {
        this.snapshots = snapshots;
        this.retained = retained;
    }

    /** The broker's ports around this store. */
    public Broker.Ports ports() {
        return new Broker.Ports(new Stores("recording", this, this, () -> { }), io.gannet.broker.cluster.ClusterNode.NONE);
    }

    /** The events of one client's session so far, in order. */
    public List<String> events(String clientId) {
        List<String> e = events.get(clientId);
        if (e == null) {
            return List.of();
        }
        synchronized (e) {
            return List.copyOf(e);
        }
    }

    public List<String> retainedEvents() {
        synchronized (retainedEvents) {
            return List.copyOf(retainedEvents);
        }
    }

    /** From now on, completions that guard an acknowledgement stay open until {@link #release()}. */
    public void hold() {
        holding = true;
    }

    /** Completes every held completion, and holds no more. */
    public void release() {
        takeHeld().forEach(f -> f.complete(null));
    }

    /** Fails every held completion, as a store that could not write, and holds no more. */
    public void failHeld() {
        takeHeld().forEach(f -> f.completeExceptionally(new IllegalStateException("the store could not write")));
    }

    /** Stops holding, and hands over what was held. */
    private List<CompletableFuture<Void>> takeHeld() {
        holding = false;
        synchronized (held) {
            List<CompletableFuture<Void>> now = List.copyOf(held);
            held.clear();
            return now;
        }
    }

    public int heldCount() {
        return held.size();
    }

    private CompletableFuture<Void> completion() {
        if (!holding) {
            return SessionJournal.DONE;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        held.add(f);
        return f;
    }

    private void add(String clientId, String event) {
        events.computeIfAbsent(clientId, id -> Collections.synchronizedList(new ArrayList<>())).add(event);
    }

    static String text(Message m) {
        return m == null ? "none" : m.topic() + " '" + new String(m.payload(), StandardCharsets.UTF_8) + "'";
    }

    static String owner(SessionOwner o) {
        return o.username() == null ? "anonymous" : o.username();
    }

    // ---- SessionStore -------------------------------------------------------------------------------------------

    @Override
    public List<SessionSnapshot> recoverSessions() {
        return snapshots;
    }

    @Override
    public SessionJournal created(String clientId, SessionOwner owner, long expirySeconds, Message will,
                                  long willDelaySeconds) {
        add(clientId, "created " + owner(owner) + " expiry=" + expirySeconds + " will=" + text(will)
                + (will == null ? "" : " delay=" + willDelaySeconds));
        return new Journal(clientId);
    }

    @Override
    public SessionJournal recovered(SessionSnapshot snapshot) {
        add(snapshot.clientId(), "recovered");
        return new Journal(snapshot.clientId());
    }

    // ---- RetainedJournal -------------------------------------------------------------------------------------

    @Override
    public List<Message> recoverRetained() {
        return retained;
    }

    @Override
    public CompletableFuture<Void> stored(Message message) {
        retainedEvents.add("stored " + text(message));
        return completion();
    }

    @Override
    public CompletableFuture<Void> cleared(String topic) {
        retainedEvents.add("cleared " + topic);
        return completion();
    }

    private final class Journal implements SessionJournal {
        private final String clientId;

        Journal(String clientId) {
            this.clientId = clientId;
        }

        @Override
        public void resumed(SessionOwner owner, long expirySeconds, Message will, long willDelaySeconds) {
            add(clientId, "resumed " + owner(owner) + " expiry=" + expirySeconds + " will=" + text(will));
        }

        @Override
        public void disconnected(long atMillis) {
            add(clientId, "disconnected");
        }

        @Override
        public void expiryChanged(long expirySeconds) {
            add(clientId, "expiry=" + expirySeconds);
        }

        @Override
        public CompletableFuture<Void> subscribed(SubscriptionRecord s) {
            add(clientId, "subscribed " + s.key() + " qos=" + s.qos());
            return completion();
        }

        @Override
        public void unsubscribed(String key) {
            add(clientId, "unsubscribed " + key);
        }

        @Override
        public CompletableFuture<Void> queued(StoredMessage m) {
            add(clientId, "queued " + m.seq() + " " + text(m.message()) + " qos=" + m.qos());
            return completion();
        }

        @Override
        public void sent(long seq, int packetId) {
            add(clientId, "sent " + seq + " id=" + packetId);
        }

        @Override
        public void removed(long seq) {
            add(clientId, "removed " + seq);
        }

        @Override
        public void pubAckReceived(int packetId) {
            add(clientId, "puback " + packetId);
        }

        @Override
        public void pubRecReceived(int packetId) {
            add(clientId, "pubrec " + packetId);
        }

        @Override
        public void pubCompReceived(int packetId) {
            add(clientId, "pubcomp " + packetId);
        }

        @Override
        public CompletableFuture<Void> inboundQos2Stored(int packetId) {
            add(clientId, "qos2 stored " + packetId);
            return completion();
        }

        @Override
        public void inboundQos2Released(int packetId) {
            add(clientId, "qos2 released " + packetId);
        }

        @Override
        public void willPending(Message will, long dueAtMillis) {
            add(clientId, "will pending " + text(will));
        }

        @Override
        public void willCleared() {
            add(clientId, "will cleared");
        }

        @Override
        public void ended(boolean expired) {
            add(clientId, "ended" + (expired ? " expired" : ""));
        }
    }
}
