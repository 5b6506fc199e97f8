package io.gannet.broker.cluster;

import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.session.SubscriptionIndex;
import io.gannet.broker.store.RetainedJournal;
import io.gannet.broker.store.SessionStore;
import io.gannet.broker.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.util.function.BiConsumer;

/**
 * This broker as one node of a cluster: the port the cluster module implements. The broker hands it the parts it
 * wraps, once each: {@link #retainedJournal}, {@link #retainedStore}, {@link #subscriptions} and {@link #router}
 * while it is assembled; {@link #start} once its event loops exist and what its stores kept is recovered, before any
 * listener opens; {@link #close} when it stops.
 */
public interface ClusterNode extends AutoCloseable {
    /** A broker on its own: wraps nothing, starts nothing. */
    ClusterNode NONE = new ClusterNode() {
        @Override
        public SubscriptionIndex subscriptions(SubscriptionIndex local) {
            return local;
        }

        @Override
        public MessageRouter router(LocalRouter local) {
            return local;
        }

        @Override
        public SessionStore sessions(SessionStore local) {
            return local;
        }

        @Override
        public RetainedJournal retainedJournal(RetainedJournal local) {
            return local;
        }

        @Override
        public void retainedStore(RetainedStore store) {
        }

        @Override
        public void start(EventLoopGroup workers, Transport transport) {
        }

        @Override
        public void recovered() {
        }

        @Override
        public void metrics(BiConsumer<String, Long> visitor) {
        }

        @Override
        public void close() {
        }
    };

    /**
     * Who stops this broker when the cluster removes this node ({@code bin/gannet cluster remove}): a node that is
     * no member any more stops, and its clients resume their sessions on the other nodes. Set before {@link #start}.
     */
    default void onRemoved(Runnable stopBroker) {
    }

    /**
     * Wraps this broker's subscription index, so that the cluster hears of every subscription added and removed,
     * and can tell the other nodes which filters this node has subscribers for.
     */
    SubscriptionIndex subscriptions(SubscriptionIndex local);

    /**
     * The store of this broker's persistent sessions: {@code local} (this node's own, as the store module opened
     * it), or one the cluster keeps them in, replicated so that they outlive this node. Asked once, while the broker
     * is assembled; a store the cluster provides recovers its sessions only after {@link #start}.
     */
    SessionStore sessions(SessionStore local);

    /**
     * Wraps the journal of this broker's retained messages, so that the cluster hears of each change its clients
     * make and every node keeps the same retained messages.
     */
    RetainedJournal retainedJournal(RetainedJournal local);

    /** This broker's retained messages, to which the changes made on other nodes are applied. */
    void retainedStore(RetainedStore store);

    /**
     * Wraps this broker's router, so that a message also goes to the other nodes with matching subscribers, and a
     * shared group with members on several nodes gets it on one of them. The node delivers what it receives from
     * other nodes through {@code local} alone, never onward.
     */
    MessageRouter router(LocalRouter local);

    /**
     * Joins the cluster: opens the links to the other nodes on the broker's event loops and the Raft server. Returns
     * without waiting for a majority of the nodes: a node that cannot reach one still serves its own clients.
     *
     * @param workers   the broker's event loops, where the links to other nodes live as its connections do
     * @param transport the socket implementation the broker uses
     */
    void start(EventLoopGroup workers, Transport transport);

    /**
     * The broker has rebuilt the persistent sessions its store recovered, after {@link #start} and before any
     * listener opens: the node tells the cluster its whole set of subscriptions, which replaces what the cluster
     * still held for it from before a restart.
     */
    void recovered();

    /** The node's figures for {@code $SYS/broker/cluster/...}, as (name under cluster/, value). */
    void metrics(BiConsumer<String, Long> visitor);

    /** Leaves the cluster and closes the links; the broker's event loops are still running. */
    @Override
    void close();
}
