package io.gannet.broker.plugin;

import io.gannet.broker.events.BrokerEvents;
import io.gannet.broker.events.Drops;
import io.gannet.broker.metrics.BrokerMetrics;

/**
 * Where plugins report the messages they give up ({@code PluginContext.messageDropped}). Plugins start before the
 * broker knows which of them listen to events, so the broker's {@link Drops} are bound once it does; a drop reported
 * while plugins start is counted, with no event.
 */
public final class PluginDrops {
    private volatile Drops drops;

    public PluginDrops(BrokerMetrics metrics) {
        this.drops = new Drops(metrics, BrokerEvents.NONE);
    }

    /** From now on, drops go to {@code drops}: counted, and raised as events. */
    public void bind(Drops drops) {
        this.drops = drops;
    }

    void dropped(String plugin, String reason, String clientId, String topic, int qos) {
        drops.droppedByPlugin(plugin, reason, clientId, topic, qos);
    }
}
