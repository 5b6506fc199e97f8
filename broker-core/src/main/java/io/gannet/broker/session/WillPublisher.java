package io.gannet.broker.session;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.message.Message;

/**
 * Publishes a will whose time has come, through the plugins' inbound interceptors as the client's own messages go;
 * the broker's publish path implements it. Callable from any thread.
 */
@FunctionalInterface
public interface WillPublisher {
    /**
     * @param publisher the client that left it; after a restart only its client id and user name are known (its
     *                  listener, address and version are {@code null})
     */
    void publishWill(Message will, ConnectAttempt publisher);
}
