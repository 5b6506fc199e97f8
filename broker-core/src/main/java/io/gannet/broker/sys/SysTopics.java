package io.gannet.broker.sys;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.publish.PublishPipeline;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.LocalSubscriptions;
import io.gannet.broker.session.SessionRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the broker's state under {@code $SYS/broker/...}, in the topics Mosquitto users know, every
 * {@code sys.interval-seconds}. Values are retained, so a new subscriber sees them at once, and a topic is
 * published again only when its value changed. {@code $SYS} topics are not matched by a leading wildcard
 * [MQTT-4.7.2-1]: clients subscribe to {@code $SYS/#} explicitly.
 */
public final class SysTopics implements AutoCloseable {
    public static final String PREFIX = "$SYS/broker/";

    private final BrokerMetrics metrics;
    private final SessionRegistry sessions;
    private final LocalSubscriptions subscriptions;
    private final RetainedStore retained;
    private final PublishPipeline publishing;
    private final String version;
    private final long startedNanos = System.nanoTime();
    private final Map<String, String> lastPublished = new HashMap<>();
    private ScheduledFuture<?> task;
    private final java.util.function.Consumer<java.util.function.BiConsumer<String, Long>> extraValues;

    public SysTopics(BrokerMetrics metrics, SessionRegistry sessions, LocalSubscriptions subscriptions,
                     RetainedStore retained, PublishPipeline publishing) {
        this(metrics, sessions, subscriptions, retained, publishing, action -> { });
    }

    /** @param extraValues visits further values (plugins' metrics) by topic below {@value #PREFIX} */
    public SysTopics(BrokerMetrics metrics, SessionRegistry sessions, LocalSubscriptions subscriptions,
                     RetainedStore retained, PublishPipeline publishing,
                     java.util.function.Consumer<java.util.function.BiConsumer<String, Long>> extraValues) {
        this.extraValues = extraValues;
        this.metrics = metrics;
        this.sessions = sessions;
        this.subscriptions = subscriptions;
        this.retained = retained;
        this.publishing = publishing;
        String v = SysTopics.class.getPackage().getImplementationVersion();
        this.version = "gannet " + (v == null ? "development" : v);
    }

    /** Starts publishing on {@code executor}, every {@code intervalSeconds}; 0 disables $SYS. */
    public void start(EventExecutor executor, int intervalSeconds) {
        if (intervalSeconds > 0) {
            task = executor.scheduleAtFixedRate(this::publish, 0, intervalSeconds, TimeUnit.SECONDS);
        }
    }

    /** The current values, by topic. */
    public Map<String, String> snapshot() {
        Map<String, String> v = new LinkedHashMap<>();
        long connected = metrics.connectionsCurrent();
        int total = sessions.size();
        v.put(PREFIX + "version", version);
        v.put(PREFIX + "uptime", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos) + " seconds");
        v.put(PREFIX + "clients/connected", Long.toString(connected));
        v.put(PREFIX + "clients/disconnected", Long.toString(Math.max(0, total - connected)));
        v.put(PREFIX + "clients/total", Integer.toString(total));
        v.put(PREFIX + "clients/maximum", Long.toString(metrics.connectionsMaximum()));
        v.put(PREFIX + "connections/total", Long.toString(metrics.connectionsTotal()));
        v.put(PREFIX + "messages/received", Long.toString(metrics.messagesReceived()));
        v.put(PREFIX + "messages/sent", Long.toString(metrics.messagesSent()));
        v.put(PREFIX + "bytes/received", Long.toString(metrics.bytesReceived()));
        v.put(PREFIX + "bytes/sent", Long.toString(metrics.bytesSent()));
        for (BrokerMetrics.Refusal r : BrokerMetrics.Refusal.values()) {
            v.put(PREFIX + "refused/" + r.metricName(), Long.toString(metrics.refusedCount(r)));
        }
        v.put(PREFIX + "publish/messages/dropped", Long.toString(metrics.droppedTotal()));
        for (BrokerMetrics.DropReason r : BrokerMetrics.DropReason.values()) {
            v.put(PREFIX + "publish/messages/dropped/" + r.metricName(), Long.toString(metrics.droppedCount(r)));
        }
        v.put(PREFIX + "subscriptions/count", Integer.toString(subscriptions.size()));
        v.put(PREFIX + "shared subscriptions/count", Integer.toString(subscriptions.sharedGroups()));
        v.put(PREFIX + "retained messages/count", Integer.toString(retained.size()));
        v.put(PREFIX + "packets/malformed", Long.toString(metrics.malformedPackets()));
        extraValues.accept((name, value) -> v.put(PREFIX + name, Long.toString(value)));
        return v;
    }

    /** Publishes every value that changed since the last time. Runs on the executor given to {@link #start}. */
    void publish() {
        for (Map.Entry<String, String> e : snapshot().entrySet()) {
            if (e.getValue().equals(lastPublished.put(e.getKey(), e.getValue()))) {
                continue;
            }
            Message m = new Message(e.getKey(), 0, true, e.getValue().getBytes(StandardCharsets.UTF_8),
                    MqttProperties.EMPTY, "");
            publishing.publishAsBroker(m);
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
