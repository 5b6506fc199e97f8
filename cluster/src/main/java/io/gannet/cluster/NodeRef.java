package io.gannet.cluster;

/**
 * A node as the routing table holds it: one instance per node, so that the table's entries compare by identity.
 *
 * @param id    the node's id from {@code cluster.nodes}
 * @param index its position in {@code cluster.nodes}: its bit in a node mask; -1 for a node this one does not know
 *              (added to the cluster after this node started), which messages are not routed to
 */
record NodeRef(String id, int index) {
}
