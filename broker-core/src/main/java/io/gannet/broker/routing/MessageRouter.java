package io.gannet.broker.routing;

import io.gannet.broker.message.Message;
import io.gannet.broker.session.Session;

/**
 * Delivers a published message to every session whose subscriptions match it. This is the port the cluster module
 * implements to reach subscribers on other nodes; {@link LocalRouter} serves one broker. The broker's publish path
 * is its only caller.
 */
public interface MessageRouter {
    /**
     * Routes {@code message}. Called on the publisher's event loop (or any thread, for wills and plugin publishes);
     * returns without waiting for subscribers on other event loops or nodes.
     *
     * @param publisher the publishing session, for No Local; {@code null} for messages the broker itself publishes
     * @return whether it matched, and what a QoS 1 or 2 publisher's acknowledgement waits for
     */
    Routed route(Message message, Session publisher);
}
