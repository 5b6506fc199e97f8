package io.gannet.broker.events;

import io.gannet.broker.metrics.BrokerMetrics;

/**
 * Where every message the broker does not deliver is reported: counted by reason, and raised as an event for the
 * plugins that listen. One call per dropped message, wherever the drop happens.
 */
public final class Drops {
    private final BrokerMetrics metrics;
    private final BrokerEvents events;

    public Drops(BrokerMetrics metrics, BrokerEvents events) {
        this.metrics = metrics;
        this.events = events;
    }

    /**
     * @param clientId the client it was for (or, for a message refused on the way in, from)
     */
    public void dropped(BrokerMetrics.DropReason reason, String clientId, String topic, int qos) {
        metrics.dropped(reason);
        events.messageDropped(clientId, topic, qos, reason.metricName());
    }

    /** A message the plugin {@code plugin} gave up, for {@code reason} (its own word). */
    public void droppedByPlugin(String plugin, String reason, String clientId, String topic, int qos) {
        metrics.dropped(BrokerMetrics.DropReason.PLUGIN);
        events.messageDropped(clientId, topic, qos, plugin + "/" + reason);
    }
}
