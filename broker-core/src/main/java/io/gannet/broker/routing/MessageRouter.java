package io.gannet.broker.routing;

import io.gannet.broker.session.Session;

/**
 * Delivers a published message to every session whose subscriptions match it. This is the port the cluster
 * module will implement to reach subscribers on other nodes; {@link LocalRouter} serves one broker.
 */
public interface MessageRouter {
    /**
     * Routes {@code message}. Called on the publisher's event loop (or any thread, for wills and plugin
     * publishes); returns without waiting for subscribers on other event loops.
     *
     * @param publisher the publishing session, for No Local; {@code null} for messages the broker itself publishes
     * @return the number of sessions the message was handed to
     */
    int route(Message message, Session publisher);
}
