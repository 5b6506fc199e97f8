package io.gannet.spi.services;

import io.gannet.spi.DoNotImplement;
import io.gannet.spi.Stable;
import io.gannet.spi.publish.PublishMessage;
import java.util.List;
import java.util.Optional;

/**
 * The broker's retained messages: one per topic, sent to each new subscription whose filter matches. Safe to call
 * from any thread.
 *
 * @since 1.0
 */
@Stable
@DoNotImplement
public interface RetainedMessages {
    /** The retained message of {@code topic}, if there is one and it has not expired. */
    Optional<PublishMessage> get(String topic);

    /** The retained messages whose topics match {@code filter} ({@code +} and {@code #} allowed). */
    List<PublishMessage> match(String filter);

    /**
     * Stores {@code message} as the retained message of its topic, replacing the one there, without delivering it
     * to anyone now (use {@link MessagePublisher} for that). An empty payload removes it.
     */
    void put(PublishMessage message);

    /** Removes the retained message of {@code topic}; returns whether there was one. */
    boolean remove(String topic);

    /** The number of retained messages. */
    int size();
}
