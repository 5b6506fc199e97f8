package io.gannet.broker.plugin;

import io.gannet.broker.message.Message;
import io.gannet.broker.publish.PublishPipeline;
import io.gannet.spi.publish.PublishMessage;
import io.gannet.spi.services.MessagePublisher;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Plugins' publishing: through the broker's publish path, on the broker's own authority. */
final class PluginPublisher implements MessagePublisher {
    private final PublishPipeline publishing;
    private final Clock clock;

    PluginPublisher(PublishPipeline publishing, Clock clock) {
        this.publishing = publishing;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Integer> publish(PublishMessage message) {
        try {
            Message m = SpiMessages.fromSpi(message, "", clock.millis());
            return CompletableFuture.completedFuture(publishing.publishAsBroker(m).receivers());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
