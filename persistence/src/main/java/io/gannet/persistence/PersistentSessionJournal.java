package io.gannet.persistence;

import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionJournal;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.SubscriptionRecord;
import java.util.concurrent.CompletableFuture;

/**
 * The journal of one persistent session: each event becomes a {@link JournalOp} for its {@link JournalSink} (this
 * node's journal writer, or the cluster's session partition), named by the session's key. Runs on the session's
 * event loop and never waits. QoS 0 messages are not journaled: nothing is
 * promised for them, and a restart may lose them.
 */
public final class PersistentSessionJournal implements SessionJournal {
    private final long key;
    private final JournalSink writer;

    /**
     * @param key    the session's key: unique among the sessions the sink keeps, and never reused for another one
     * @param writer where the events go
     */
    public PersistentSessionJournal(long key, JournalSink writer) {
        this.key = key;
        this.writer = writer;
    }

    @Override
    public void resumed(SessionOwner owner, long expirySeconds, Message will, long willDelaySeconds) {
        writer.submit(new JournalOp.Resumed(key, owner, expirySeconds, will, willDelaySeconds));
    }

    @Override
    public void disconnected(long atMillis) {
        writer.submit(new JournalOp.Disconnected(key, atMillis));
    }

    @Override
    public void expiryChanged(long expirySeconds) {
        writer.submit(new JournalOp.ExpiryChanged(key, expirySeconds));
    }

    @Override
    public CompletableFuture<Void> subscribed(SubscriptionRecord subscription) {
        CompletableFuture<Void> kept = new CompletableFuture<>();
        writer.submit(new JournalOp.Subscribed(key, subscription, kept));
        return kept;
    }

    @Override
    public void unsubscribed(String subscriptionKey) {
        writer.submit(new JournalOp.Unsubscribed(key, subscriptionKey));
    }

    @Override
    public CompletableFuture<Void> queued(StoredMessage message) {
        if (message.qos() == 0) {
            return DONE;
        }
        CompletableFuture<Void> kept = writer.admit();
        if (!kept.isDone()) {
            writer.submit(new JournalOp.Queued(key, message, kept));
        }
        return kept;
    }

    @Override
    public CompletableFuture<Void> queuedAndSent(StoredMessage message, int packetId) {
        CompletableFuture<Void> kept = writer.admit();
        if (!kept.isDone()) {
            writer.submit(new JournalOp.QueuedSent(key, message, packetId, kept));
        }
        return kept;
    }

    @Override
    public void sent(long seq, int packetId) {
        writer.submit(new JournalOp.Sent(key, seq, packetId));
    }

    @Override
    public void removed(long seq) {
        writer.submit(new JournalOp.Removed(key, seq));
    }

    @Override
    public void pubAckReceived(int packetId) {
        writer.submit(new JournalOp.Acknowledged(key, packetId, JournalOp.PUBACK));
    }

    @Override
    public void pubRecReceived(int packetId) {
        writer.submit(new JournalOp.PubRecReceived(key, packetId));
    }

    @Override
    public void pubCompReceived(int packetId) {
        writer.submit(new JournalOp.Acknowledged(key, packetId, JournalOp.PUBCOMP));
    }

    @Override
    public CompletableFuture<Void> inboundQos2Stored(int packetId) {
        CompletableFuture<Void> kept = new CompletableFuture<>();
        writer.submit(new JournalOp.InboundQos2(key, packetId, true, kept));
        return kept;
    }

    @Override
    public void inboundQos2Released(int packetId) {
        writer.submit(new JournalOp.InboundQos2(key, packetId, false, null));
    }

    @Override
    public void willPending(Message will, long dueAtMillis) {
        writer.submit(new JournalOp.WillPending(key, will, dueAtMillis));
    }

    @Override
    public void willCleared() {
        writer.submit(new JournalOp.WillCleared(key));
    }

    @Override
    public void ended(boolean expired) {
        writer.submit(new JournalOp.Ended(key, expired));
    }
}
