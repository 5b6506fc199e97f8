package io.gannet.broker.config;

/** Session queue limits, from the {@code sessions} section. See {@link ConfigSchema}. */
public record SessionConfig(int maxQueuedMessages, int maxQueuedBytes, QueueFullPolicy queueFullPolicy,
                            boolean queueQos0Offline, int maxSubscriptions, long maxQueuedBytesTotal,
                            int maxSessions) {

    /** The budget of all queues in bytes: as configured, or a quarter of the maximum heap. */
    public long queueBudgetBytes() {
        return maxQueuedBytesTotal > 0 ? maxQueuedBytesTotal : Runtime.getRuntime().maxMemory() / 4;
    }

    /** What happens when a message arrives for a session whose queue is full. QoS 0 messages are dropped first. */
    public enum QueueFullPolicy {
        /** Evict the oldest queued message to make room. */
        DROP_OLDEST,
        /** Drop the message that arrived. */
        DROP_NEWEST,
        /** Disconnect the slow client (its persistent session keeps what is queued); offline, drop the newest. */
        DISCONNECT;

        static QueueFullPolicy of(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }
}
