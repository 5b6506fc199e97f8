package io.gannet.broker.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker's counters, read for {@code $SYS} and the logs. The per-message ones cost no atomic instruction on
 * an event loop ({@link MessageCounters}); the rest are {@link LongAdder}s, so threads count without contending on
 * one cache line. Every dropped message is counted with its reason.
 */
public final class BrokerMetrics {
    /** Why a message was not delivered to a session. */
    public enum DropReason {
        /** The session's queue was full; the overflow policy chose this message. */
        QUEUE_FULL,
        /** The message was larger than the session queue's byte limit on its own. */
        TOO_LARGE_FOR_QUEUE,
        /** QoS 0 message for an offline session, with queueing of QoS 0 offline disabled. */
        QOS0_OFFLINE,
        /** The 5.0 Message Expiry Interval passed before the message could be sent. */
        EXPIRED,
        /** Larger than the 5.0 client's Maximum Packet Size. */
        TOO_LARGE_FOR_CLIENT,
        /** The publisher was not authorized to publish to the topic. */
        NOT_AUTHORIZED,
        /** A plugin's publish interceptor dropped it (or failed on it). */
        INTERCEPTED,
        /** The store of a persistent session had no room for it ({@code persistence.max-disk-bytes}). */
        STORE_FULL,
        /**
         * The session it was routed to ended, or its client left a clean session, while the message was on its
         * way: a race between routing on one loop and the session's end on another.
         */
        SESSION_ENDED,
        /**
         * The session it was routed to had just moved to another broker of the cluster, which did not host it yet: a
         * QoS 1 or 2 publisher is told the message was not kept, and sends it again.
         */
        SESSION_MOVED,
        /** Every session queue together held {@code sessions.max-queued-bytes-total}: the broker's memory budget. */
        QUEUE_MEMORY,
        /**
         * A plugin gave up a message it had taken on (a bridge's full buffer); its event names the plugin and its
         * reason.
         */
        PLUGIN;

        // Once, not per drop: drops are counted on the event loops, also under an overload that drops every message.
        private final String metricName = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');

        /** The name under {@code $SYS/broker/publish/messages/dropped/}, and the reason of its drop events. */
        public String metricName() {
            return metricName;
        }
    }

    /** Why the broker refused what a client asked for on security grounds; each is counted under {@code $SYS}. */
    public enum Refusal {
        /** A CONNECT for a session that belongs to another identity. */
        SESSION_OWNER,
        /** A CONNECT whose will the client may not publish, or with a QoS or retain flag the broker does not allow. */
        WILL,
        /** A retained message not sent on SUBSCRIBE because the subscriber may not read its topic. */
        RETAINED_NOT_AUTHORIZED,
        /** A topic name or filter beyond {@code mqtt.max-topic-levels} or {@code mqtt.max-topic-length}. */
        TOPIC_LIMITS,
        /** A client id longer than {@code mqtt.max-client-id-length}. */
        CLIENT_ID,
        /** User properties beyond {@code mqtt.max-user-properties-bytes}. */
        USER_PROPERTIES,
        /** A subscription beyond {@code sessions.max-subscriptions}. */
        SUBSCRIPTIONS,
        /** A connection beyond its listener's {@code max-connections}, closed when accepted. */
        CONNECTIONS,
        /** A subscription removed because the rules changed and no longer allow it. */
        SUBSCRIPTION_REVOKED,
        /** A WebSocket handshake from a web page whose origin the listener's {@code allowed-origins} does not list. */
        WEBSOCKET_ORIGIN,
        /** A CONNECT that would have made more sessions than {@code sessions.max-sessions}. */
        SESSIONS,
        /** A retained PUBLISH past {@code mqtt.max-retained-messages} or {@code mqtt.max-retained-bytes}. */
        RETAINED_LIMITS,
        /** A CONNECT without an Authentication Method to a broker that authenticates by enhanced authentication only. */
        AUTHENTICATION_METHOD;

        /** The name under {@code $SYS/broker/refused/}. */
        public String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final LongAdder connectionsTotal = new LongAdder();
    private final AtomicLong connectionsCurrent = new AtomicLong();
    private final AtomicLong connectionsMaximum = new AtomicLong();
    private final MessageCounters messages = new MessageCounters();
    private final LongAdder malformedPackets = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];

    private final LongAdder[] refused = new LongAdder[Refusal.values().length];

    public BrokerMetrics() {
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
        for (int i = 0; i < refused.length; i++) {
            refused[i] = new LongAdder();
        }
    }

    public void refused(Refusal why) {
        refused[why.ordinal()].increment();
    }

    public long refusedCount(Refusal why) {
        return refused[why.ordinal()].sum();
    }

    public void connectionOpened() {
        connectionsTotal.increment();
        long now = connectionsCurrent.incrementAndGet();
        connectionsMaximum.accumulateAndGet(now, Math::max);
    }

    public void connectionClosed() {
        connectionsCurrent.decrementAndGet();
    }

    public void messageReceived(int bytes) {
        messages.received(bytes);
    }

    public void messageSent(int bytes) {
        messages.sent(bytes);
    }

    public void malformedPacket() {
        malformedPackets.increment();
    }

    public void dropped(DropReason reason) {
        dropped[reason.ordinal()].increment();
    }

    public long connectionsTotal() {
        return connectionsTotal.sum();
    }

    public long connectionsCurrent() {
        return connectionsCurrent.get();
    }

    public long connectionsMaximum() {
        return connectionsMaximum.get();
    }

    public long messagesReceived() {
        return messages.received();
    }

    public long messagesSent() {
        return messages.sent();
    }

    public long bytesReceived() {
        return messages.receivedBytes();
    }

    public long bytesSent() {
        return messages.sentBytes();
    }

    public long malformedPackets() {
        return malformedPackets.sum();
    }

    public long droppedCount(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    public long droppedTotal() {
        long sum = 0;
        for (LongAdder a : dropped) {
            sum += a.sum();
        }
        return sum;
    }
}
