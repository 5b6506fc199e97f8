package io.gannet.plugin.kafka;

import io.gannet.plugin.kafka.BridgeConfig.Acknowledge;
import io.gannet.plugin.kafka.BridgeConfig.ToKafka;
import io.gannet.plugin.kafka.BridgeConfig.WhenFull;
import io.gannet.spi.ClientInfo;
import io.gannet.spi.ProtocolVersion;
import io.gannet.spi.publish.AckReason;
import io.gannet.spi.publish.InboundDecision;
import io.gannet.spi.publish.InboundPublishInterceptor;
import io.gannet.spi.publish.PublishMessage;
import io.gannet.spi.publish.UserProperty;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;

/**
 * MQTT to Kafka: sees every message clients publish, and for each mapping whose filters match, makes a Kafka record
 * (topic and key from the mapping's templates, the payload as the value, the MQTT metadata and user properties as
 * headers, the time the broker received it as the timestamp) and queues it on its cluster's {@link KafkaSender}.
 * The message itself always goes on to MQTT subscribers; what the mapping's {@code acknowledge} mode changes is when
 * a QoS 1 or 2 publisher gets its PUBACK or PUBREC.
 *
 * <p>Runs on the publisher's event loop: it never blocks, it only queues.
 */
final class MqttToKafka implements InboundPublishInterceptor {
    /** Header names of the MQTT metadata; user properties follow under their own names. */
    static final String TOPIC_HEADER = "mqtt.topic";
    static final String CLIENT_ID_HEADER = "mqtt.client-id";
    static final String QOS_HEADER = "mqtt.qos";
    static final String RETAIN_HEADER = "mqtt.retain";
    private static final byte[][] DIGITS = {{'0'}, {'1'}, {'2'}};
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);

    private final List<Route> routes;
    private final WhenFull whenFull;
    private final Logger log;
    private final AtomicLong lastUnfilledLog = new AtomicLong();

    /** A mapping with its cluster's sender and disk buffer, and its counters. */
    record Route(ToKafka mapping, KafkaSender sender, DiskBuffer buffer, MappingMetrics metrics) {
    }

    /** The answer of {@link #route} for a record the full buffer refuses. */
    private static final CompletableFuture<Void> REFUSED = new CompletableFuture<>();
    /** The answer of {@link #route} for a QoS 0 record not bridged because the buffer is behind. */
    private static final CompletableFuture<Void> SKIPPED = new CompletableFuture<>();

    MqttToKafka(List<Route> routes, WhenFull whenFull, Logger log) {
        this.routes = List.copyOf(routes);
        this.whenFull = whenFull;
        this.log = log;
    }

    @Override
    public CompletionStage<InboundDecision> onInboundPublish(ClientInfo publisher, PublishMessage message) {
        long receivedMillis = System.currentTimeMillis();
        long receivedNanos = System.nanoTime();
        List<CompletableFuture<Void>> waits = null;
        for (Route route : routes) {
            if (!route.mapping().matches(message.topic())) {
                continue;
            }
            ProducerRecord<byte[], byte[]> record;
            try {
                record = record(route.mapping(), publisher, message, receivedMillis);
            } catch (Template.UnfilledException e) {
                route.metrics().errors.increment();
                logUnfilled(route, message, e);
                continue;
            }
            CompletableFuture<Void> wait = route(route, publisher, message, record, receivedNanos);
            if (wait == REFUSED) {
                route.metrics().dropped.increment();
                return CompletableFuture.completedFuture(refuse(publisher, message, route));
            }
            if (wait == SKIPPED) {
                route.metrics().dropped(publisher.clientId(), message.topic(), 0, "buffer-behind");
                continue;
            }
            route.metrics().accepted.increment();
            if (wait != null) {
                if (waits == null) {
                    waits = new ArrayList<>(1);
                }
                waits.add(wait);
            }
        }
        if (waits == null) {
            return CompletableFuture.completedFuture(InboundDecision.proceed());
        }
        CompletableFuture<?> safe = waits.size() == 1 ? waits.get(0)
                : CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        return CompletableFuture.completedFuture(InboundDecision.proceed().acknowledgeWhen(safe));
    }

    /**
     * Sends a record the way its mapping says.
     *
     * @return what the publisher's acknowledgement waits for, {@code null} for nothing, {@link #REFUSED}, or
     *         {@link #SKIPPED}
     */
    private CompletableFuture<Void> route(Route route, ClientInfo publisher, PublishMessage message,
                                          ProducerRecord<byte[], byte[]> record, long receivedNanos) {
        Acknowledge mode = message.qos() == 0 ? Acknowledge.AT_ONCE : route.mapping().acknowledge();
        KafkaSender sender = route.sender();
        DiskBuffer buffer = route.buffer();
        switch (mode) {
            case AFTER_KAFKA -> {
                OutRecord out = new OutRecord(record, new CompletableFuture<>(), route.metrics(), receivedNanos);
                if (!sender.hasRoom(out.bytes()) && !makeRoom(route, out.bytes())) {
                    return REFUSED;
                }
                sender.add(out);
                return out.sent();
            }
            case AFTER_BUFFER -> {
                if (!buffer.hasRoom(record.value().length)) {
                    return REFUSED;
                }
                return buffer.add(route.mapping().name(), record);
            }
            default -> {
                OutRecord out = new OutRecord(record, null, route.metrics(), receivedNanos);
                // In memory while nothing waits on disk and memory has room; else after what waits on disk, in order.
                if (buffer.isEmpty()) {
                    if (sender.hasRoom(out.bytes())) {
                        sender.add(out);
                        return null;
                    }
                    if (message.qos() > 0 && sender.keepsUp() && sender.hasRoomToHold(out.bytes())) {
                        // Kafka answers, only more slowly than messages come: the acknowledgement waits for it (or
                        // for Kafka to stall), and the publisher slows to Kafka's pace. Spilling instead would not
                        // help (the disk fills at the same pace) and would cost more: every later record would then
                        // go through the disk too, to keep the order, on the cores Kafka may share.
                        OutRecord held = new OutRecord(record, new CompletableFuture<>(), route.metrics(),
                                receivedNanos, out.bytes());
                        sender.addHeld(held);
                        route.metrics().held.increment();
                        return held.sent();
                    }
                }
                if (!buffer.hasRoom(out.bytes())) {
                    return REFUSED;
                }
                if (!buffer.isBehind()) {
                    buffer.add(route.mapping().name(), record);
                    return null;
                }
                // More comes than the buffer writes. A QoS 1 or 2 acknowledgement waits for the write, as in
                // after-buffer, and its publisher slows down; a QoS 0 message has none to wait, and at most once
                // allows its record to be left out (counted as dropped) rather than pile up in the heap.
                if (message.qos() == 0) {
                    return SKIPPED;
                }
                route.metrics().held.increment();
                return buffer.add(route.mapping().name(), record);
            }
        }
    }

    /** With {@code drop-oldest}, drops waiting records of that cluster until this one fits. */
    private boolean makeRoom(Route route, long bytes) {
        if (whenFull != WhenFull.DROP_OLDEST) {
            return false;
        }
        while (!route.sender().hasRoom(bytes)) {
            OutRecord dropped = route.sender().dropOldest();
            if (dropped == null) {
                return route.sender().hasRoom(bytes);
            }
            dropped.metrics().dropped(dropped.record(), "buffer-full");
            if (dropped.sent() != null) {
                dropped.sent().completeExceptionally(new DroppedException("dropped: the Kafka bridge's buffer is "
                        + "full (plugins.kafka.buffer.when-full: drop-oldest)"));
            }
        }
        return true;
    }

    /**
     * The buffer is full and {@code when-full} is {@code refuse}: a 5.0 publisher gets 0x97 (Quota exceeded); a
     * 3.1.1 publisher of QoS 1 or 2 is disconnected without an acknowledgement (the failed stage does that), so that
     * it sends the message again later. The message does not reach MQTT subscribers either: refused is refused.
     */
    private InboundDecision refuse(ClientInfo publisher, PublishMessage message, Route route) {
        String why = "the Kafka bridge's buffer for cluster '" + route.mapping().cluster() + "' is full";
        if (publisher.protocolVersion() != ProtocolVersion.MQTT_5 && message.qos() > 0) {
            return InboundDecision.drop(AckReason.QUOTA_EXCEEDED, why)
                    .acknowledgeWhen(CompletableFuture.failedFuture(new IllegalStateException(why)));
        }
        return InboundDecision.drop(AckReason.QUOTA_EXCEEDED, why);
    }

    static ProducerRecord<byte[], byte[]> record(ToKafka mapping, ClientInfo publisher, PublishMessage message,
                                                 long receivedMillis) {
        String topic = fill(mapping.kafkaTopic(), publisher, message);
        byte[] mqttTopic = message.topic().getBytes(StandardCharsets.UTF_8);
        // The default key is the MQTT topic, which the topic header holds too: one array for both.
        byte[] key = mapping.key().isOnly(Template.Kind.TOPIC) ? mqttTopic
                : fill(mapping.key(), publisher, message).getBytes(StandardCharsets.UTF_8);
        List<UserProperty> properties = message.userProperties();
        Header[] headers = new Header[4 + properties.size()];
        headers[0] = new RecordHeader(TOPIC_HEADER, mqttTopic);
        headers[1] = new RecordHeader(CLIENT_ID_HEADER, publisher.clientId().getBytes(StandardCharsets.UTF_8));
        headers[2] = new RecordHeader(QOS_HEADER, DIGITS[message.qos()]);
        headers[3] = new RecordHeader(RETAIN_HEADER, message.retain() ? TRUE : FALSE);
        for (int i = 0; i < properties.size(); i++) {
            UserProperty p = properties.get(i);
            headers[4 + i] = new RecordHeader(p.name(), p.value().getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, null, receivedMillis, key, message.payload(), new RecordHeaders(headers));
    }

    /** A template filled for one message; a constant one without a lookup made for it. */
    private static String fill(Template t, ClientInfo publisher, PublishMessage message) {
        return t.isConstant() ? t.fill(null) : t.fill(v -> value(v, publisher, message));
    }

    private static String value(Template.Variable v, ClientInfo publisher, PublishMessage message) {
        return switch (v.kind()) {
            case TOPIC -> message.topic();
            case TOPIC_LEVEL -> level(message.topic(), v.level());
            case CLIENT_ID -> publisher.clientId();
            case USERNAME -> publisher.username().orElse(null);
            case USER_PROPERTY -> {
                for (UserProperty p : message.userProperties()) {
                    if (p.name().equals(v.name())) {
                        yield p.value(); // the first of that name
                    }
                }
                yield null;
            }
            default -> null;
        };
    }

    /** Level {@code n} of a topic, from 0; {@code null} beyond its last. */
    static String level(String topic, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            int slash = topic.indexOf('/', start);
            if (slash < 0) {
                return null;
            }
            start = slash + 1;
        }
        int end = topic.indexOf('/', start);
        return topic.substring(start, end < 0 ? topic.length() : end);
    }

    private void logUnfilled(Route route, PublishMessage message, Template.UnfilledException e) {
        long now = System.nanoTime();
        long last = lastUnfilledLog.get();
        // At most one line a second: a misconfigured template meets every message.
        if (now - last > 1_000_000_000L && lastUnfilledLog.compareAndSet(last, now)) {
            log.warn("Mapping '{}': a message to '{}' is not bridged: {} (counted in to-kafka/{}/errors)",
                    route.mapping().name(), message.topic(), e.getMessage(), route.mapping().name());
        }
    }
}
