package io.gannet.spi.services;

import io.gannet.spi.DoNotImplement;
import io.gannet.spi.Stable;
import io.gannet.spi.publish.PublishMessage;
import java.util.concurrent.CompletionStage;

/**
 * Publishes messages into the broker as if a client had, for bridges and integrations (a message arriving from
 * Kafka, a command from an HTTP API). Safe to call from any thread.
 *
 * @since 1.0
 */
@Stable
@DoNotImplement
public interface MessagePublisher {
    /**
     * Delivers {@code message} to every matching subscription, and stores it as the retained message of its topic
     * when its RETAIN flag is set (an empty payload then removes the retained message). Authorization and inbound
     * interceptors do not apply: the plugin publishes on its own authority. Outbound interceptors do. Subscriptions
     * with No Local receive it (no client published it).
     *
     * @return a stage completed with the number of sessions the message was handed to, once routing is done
     */
    CompletionStage<Integer> publish(PublishMessage message);
}
