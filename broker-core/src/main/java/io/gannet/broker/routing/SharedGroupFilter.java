package io.gannet.broker.routing;

import io.gannet.broker.shared.SharedGroup;

/**
 * Says, for one message, whether a matching shared group of this broker takes it here. On one broker every group
 * does; in a cluster a group with members on several nodes takes each message on one node only, which the
 * publishing node chooses.
 */
@FunctionalInterface
public interface SharedGroupFilter {
    /** Every group takes the message here: a broker on its own. */
    SharedGroupFilter ALL = group -> true;
    /** No group takes it here: a message another node routed, whose groups that node placed. */
    SharedGroupFilter NONE = group -> false;

    /** Whether {@code group}, which matches the message, delivers it to one of its members on this broker. */
    boolean deliversHere(SharedGroup group);
}
