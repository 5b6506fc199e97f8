package io.gannet.broker.cluster;

import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.GannetConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the cluster module on the class path and opens this node when the configuration enables the cluster. */
public final class ClusterProviders {
    private ClusterProviders() {
    }

    /**
     * @throws ConfigException when {@code cluster.enabled} is true and no cluster module is on the class path: a
     *                         node that silently ran alone would split its clients from everyone else's
     */
    public static ClusterNode open(GannetConfig config, Path home, Clock clock, ClassLoader loader) {
        for (ClusterProvider provider : ServiceLoader.load(ClusterProvider.class, loader)) {
            Optional<ClusterNode> node = provider.open(config, home, clock);
            if (node.isPresent()) {
                return node.get();
            }
        }
        if (config.cluster().enabled()) {
            throw new ConfigException("cluster.enabled is true, but the cluster module is not on the class path "
                    + "(lib/gannet-cluster-*.jar)");
        }
        return ClusterNode.NONE;
    }
}
