package io.gannet.broker.cluster;

import io.gannet.broker.config.GannetConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The module that makes this broker one node of a cluster, found with {@link java.util.ServiceLoader} when its jar
 * is on the class path (the {@code cluster} module). Asked once at start; it joins only when the configuration
 * enables it. None found or none enabled: the broker runs alone, with exactly the single-node path.
 */
public interface ClusterProvider {
    /**
     * Opens this node's part of the cluster when {@code config} enables it. Nothing is sent to the other nodes
     * before {@link ClusterNode#start}.
     *
     * @param home the installation directory, which relative paths in the configuration are resolved against
     * @return the node, or empty when the configuration does not enable the cluster
     * @throws io.gannet.broker.config.ConfigException when it is enabled but its settings do not work
     */
    Optional<ClusterNode> open(GannetConfig config, Path home, Clock clock);
}
