package io.gannet.broker.plugin;

import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.Message;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.spi.publish.PublishMessage;
import io.gannet.spi.services.MessagePublisher;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Plugins' publishing: straight to the router (and the retained store), as the broker itself publishes. */
final class PluginPublisher implements MessagePublisher {
    private final MessageRouter router;
    private final RetainedStore retained;
    private final Clock clock;

    PluginPublisher(MessageRouter router, RetainedStore retained, Clock clock) {
        this.router = router;
        this.retained = retained;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Integer> publish(PublishMessage message) {
        try {
            Message m = SpiMessages.fromSpi(message, "", clock.millis());
            if (m.retain()) {
                retained.put(m);
            }
            return CompletableFuture.completedFuture(router.route(m, null));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
