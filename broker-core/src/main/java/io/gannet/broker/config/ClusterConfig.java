package io.gannet.broker.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code cluster} section: whether this broker is one node of several, which one, and who the others are. Read
 * by the cluster module; the core only passes it on. Checked as a whole when it is loaded, so that a node never
 * starts with a list it is not in or a replication factor its nodes cannot hold.
 *
 * @param nodeId            this node's id, one of {@code nodes}
 * @param nodes             every node of the cluster, this one included, in the order configured
 * @param directory         where the Raft log and snapshots are kept, relative to the installation directory
 * @param replicationFactor copies of each persistent session's state, the owner's included
 * @param snapshotEntries   entries of each Raft log between snapshots of its state
 * @param tls               the files of mutual TLS between nodes, or {@code null} for plain connections
 */
public record ClusterConfig(boolean enabled, String nodeId, List<Node> nodes, String directory,
                            int replicationFactor, int snapshotEntries, Tls tls) {

    /**
     * The PEM files of mutual TLS between nodes, as configured (relative to the installation directory).
     *
     * @param certificate this node's certificate chain
     * @param privateKey  its private key, PKCS#8
     * @param trust       the certificates that vouch for the other nodes
     */
    public record Tls(String certificate, String privateKey, String trust) {
        /** The three keys, all set or none; {@code null} for none. */
        static Tls of(String certificate, String privateKey, String trust) {
            Map<String, String> byKey = new java.util.LinkedHashMap<>();
            byKey.put(ConfigSchema.CLUSTER_TLS_CERTIFICATE.path(), certificate);
            byKey.put(ConfigSchema.CLUSTER_TLS_PRIVATE_KEY.path(), privateKey);
            byKey.put(ConfigSchema.CLUSTER_TLS_TRUST.path(), trust);
            List<String> unset = byKey.entrySet().stream().filter(e -> e.getValue().isBlank()).map(Map.Entry::getKey)
                    .toList();
            if (unset.size() == byKey.size()) {
                return null;
            }
            if (!unset.isEmpty()) {
                throw new ConfigException(String.join(", ", unset) + ": not set; TLS between nodes needs all of "
                        + String.join(", ", byKey.keySet()));
            }
            return new Tls(certificate, privateKey, trust);
        }
    }

    /**
     * One node of the cluster.
     *
     * @param port     where the node takes messages from the other nodes
     * @param raftPort where the node takes Raft traffic
     * @param joined   whether the node joined the running cluster ({@code bin/gannet cluster add}) rather than
     *                 founded it: it was not in the cluster's first configuration (of the metadata group and of
     *                 the session partitions), and gets its place and its copies from the log
     */
    public record Node(String id, String host, int port, int raftPort, boolean joined) {
        /** A founding node. */
        public Node(String id, String host, int port, int raftPort) {
            this(id, host, port, raftPort, false);
        }
    }

    public ClusterConfig {
        nodes = List.copyOf(nodes);
    }

    /** The nodes that founded the cluster, in their configured order: the first configuration of its groups. */
    public List<Node> founding() {
        return nodes.stream().filter(n -> !n.joined()).toList();
    }

    /** This node's entry in {@link #nodes}; only for an enabled cluster, where it is always there. */
    public Node self() {
        return nodes.stream().filter(n -> n.id().equals(nodeId)).findFirst().orElseThrow();
    }

    /** Reads and checks the section; errors name the key, as {@code cluster.nodes[1].raft-port}. */
    static ClusterConfig of(boolean enabled, String nodeId, List<Map<?, ?>> rawNodes, String directory,
                            int replicationFactor, int snapshotEntries, Tls tls) {
        List<Node> nodes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> endpoints = new HashSet<>();
        for (int i = 0; i < rawNodes.size(); i++) {
            String where = ConfigSchema.CLUSTER_NODES.path() + "[" + i + "]";
            Map<?, ?> item = rawNodes.get(i);
            for (Object key : item.keySet()) {
                if (!NODE_KEYS.contains(String.valueOf(key))) {
                    throw new ConfigException("unknown configuration key '" + where + "." + key + "'; allowed: "
                            + String.join(", ", NODE_KEYS));
                }
            }
            for (String required : REQUIRED_NODE_KEYS) {
                if (!item.containsKey(required)) {
                    throw new ConfigException(where + "." + required + ": is required; each node has "
                            + String.join(", ", REQUIRED_NODE_KEYS));
                }
            }
            String id = text(where + ".id", item.get("id"));
            if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new ConfigException(where + ".id: '" + id + "' is not a valid node id; allowed: 1 to 64 "
                        + "letters, digits, '-' and '_'");
            }
            if (!ids.add(id)) {
                throw new ConfigException(where + ".id: '" + id + "' is used by another node; ids must be unique");
            }
            String host = text(where + ".host", item.get("host"));
            int port = port(where + ".port", item.get("port"));
            int raftPort = port(where + ".raft-port", item.get("raft-port"));
            if (!endpoints.add(host + ":" + port)) {
                throw new ConfigException(where + ".port: " + host + ":" + port + " is used by another node or port");
            }
            if (!endpoints.add(host + ":" + raftPort)) {
                throw new ConfigException(where + ".raft-port: " + host + ":" + raftPort
                        + " is used by another node or port");
            }
            boolean joined = item.containsKey("joined") && flag(where + ".joined", item.get("joined"));
            if (!joined && !nodes.isEmpty() && nodes.get(nodes.size() - 1).joined()) {
                throw new ConfigException(where + ": founding node '" + id + "' is listed after a joined one; list "
                        + "the founding nodes first, then the joined ones in the order they joined");
            }
            nodes.add(new Node(id, host, port, raftPort, joined));
        }
        if (nodes.size() > MAX_NODES) {
            throw new ConfigException(ConfigSchema.CLUSTER_NODES.path() + ": " + nodes.size() + " nodes; a cluster "
                    + "has at most " + MAX_NODES);
        }
        if (enabled) {
            if (nodes.isEmpty()) {
                throw new ConfigException(ConfigSchema.CLUSTER_NODES.path() + ": is empty; a cluster needs every "
                        + "node listed, this one included");
            }
            if (!ids.contains(nodeId)) {
                throw new ConfigException(ConfigSchema.CLUSTER_NODE_ID.path() + ": '" + nodeId + "' is not one of "
                        + ConfigSchema.CLUSTER_NODES.path() + "[].id (" + String.join(", ", ids) + ")");
            }
            long founding = nodes.stream().filter(n -> !n.joined()).count();
            if (founding == 0) {
                throw new ConfigException(ConfigSchema.CLUSTER_NODES.path() + ": every node is marked joined; the "
                        + "nodes that founded the cluster are listed without it");
            }
            // The founding nodes form the session partitions' first groups (ADR 16); later ones follow the members.
            if (replicationFactor > founding) {
                throw new ConfigException(ConfigSchema.CLUSTER_REPLICATION_FACTOR.path() + ": " + replicationFactor
                        + " is more than the " + founding + " founding nodes listed in "
                        + ConfigSchema.CLUSTER_NODES.path());
            }
        }
        return new ClusterConfig(enabled, nodeId, nodes, directory, replicationFactor, snapshotEntries, tls);
    }

    /** Routing marks the nodes a message goes to in one 64-bit word. */
    public static final int MAX_NODES = 64;

    private static final List<String> REQUIRED_NODE_KEYS = List.of("id", "host", "port", "raft-port");
    private static final List<String> NODE_KEYS = List.of("id", "host", "port", "raft-port", "joined");

    private static boolean flag(String where, Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(where + ": '" + raw + "' is not a valid value; allowed: true, false");
    }

    private static String text(String where, Object raw) {
        if (!(raw instanceof String s) || s.isBlank()) {
            throw new ConfigException(where + ": '" + raw + "' is not a valid value; allowed: a non-empty string");
        }
        return s;
    }

    private static int port(String where, Object raw) {
        if (raw instanceof Number n && n.longValue() == n.doubleValue() && n.longValue() >= 1
                && n.longValue() <= 65_535) {
            return n.intValue();
        }
        throw new ConfigException(where + ": '" + raw + "' is not a valid value; allowed: an integer from 1 to 65535");
    }
}
