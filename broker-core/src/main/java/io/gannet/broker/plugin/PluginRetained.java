package io.gannet.broker.plugin;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.message.Message;
import io.gannet.broker.topic.Topics;
import io.gannet.spi.publish.PublishMessage;
import io.gannet.spi.services.RetainedMessages;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plugins' view of the retained store, in the SPI's message type. Expired messages are not shown. */
final class PluginRetained implements RetainedMessages {
    private final RetainedStore store;
    private final Clock clock;

    PluginRetained(RetainedStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public Optional<PublishMessage> get(String topic) {
        checkTopic(topic);
        List<PublishMessage> found = match(topic);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public List<PublishMessage> match(String filter) {
        if (!Topics.isValidFilter(filter)) {
            throw new IllegalArgumentException("not a valid topic filter: '" + filter + "'");
        }
        long now = clock.millis();
        List<PublishMessage> found = new ArrayList<>();
        store.match(filter, m -> {
            if (!m.isExpired(now)) {
                found.add(SpiMessages.toSpi(m, m.qos(), true, now));
            }
        });
        return found;
    }

    @Override
    public void put(PublishMessage message) {
        store.put(SpiMessages.fromSpi(message, "", clock.millis()).withRetain(true));
    }

    @Override
    public boolean remove(String topic) {
        boolean existed = get(topic).isPresent();
        store.put(new Message(topic, 0, true, new byte[0], MqttProperties.EMPTY, ""));
        return existed;
    }

    @Override
    public int size() {
        return store.size();
    }

    private static void checkTopic(String topic) {
        if (topic == null || !Topics.isValidName(topic)) {
            throw new IllegalArgumentException("not a valid topic name: '" + topic + "'");
        }
    }
}
