package io.gannet.broker.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may publish to a topic or subscribe to a filter. Plugins provide it through the SPI;
 * without one, {@link #ALLOW_ALL} lets every client do everything (and the publish path skips the question).
 * Called on the connection's event loop; must return at once.
 */
public interface Authorizer {
    /** What the client wants to do. */
    enum Action { PUBLISH, SUBSCRIBE }

    CompletionStage<Boolean> ALLOWED = CompletableFuture.completedFuture(true);

    Authorizer ALLOW_ALL = (client, action, topic) -> ALLOWED;

    /**
     * @param client the client, as it connected
     * @param topic  a topic name (PUBLISH) or a topic filter (SUBSCRIBE; a shared subscription's with its
     *               {@code $share/{group}/} prefix)
     * @return true to allow
     */
    CompletionStage<Boolean> authorize(ConnectAttempt client, Action action, String topic);
}
