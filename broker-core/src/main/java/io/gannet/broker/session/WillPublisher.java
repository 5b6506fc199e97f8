package io.gannet.broker.session;

import io.gannet.broker.message.Message;

/** Publishes a will whose time has come; the broker's publish path implements it. Callable from any thread. */
@FunctionalInterface
public interface WillPublisher {
    void publishWill(Message will);
}
