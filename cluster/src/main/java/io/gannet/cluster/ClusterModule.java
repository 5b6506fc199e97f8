package io.gannet.cluster;

import io.gannet.broker.cluster.ClusterNode;
import io.gannet.broker.cluster.ClusterProvider;
import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.config.GannetConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Found by the broker through {@link java.util.ServiceLoader}: makes it a cluster node when {@code cluster.enabled}. */
public final class ClusterModule implements ClusterProvider {
    @Override
    public Optional<ClusterNode> open(GannetConfig config, Path home, Clock clock) {
        ClusterConfig cluster = config.cluster();
        if (!cluster.enabled()) {
            return Optional.empty();
        }
        Path directory = home.resolve(cluster.directory()).normalize();
        return Optional.of(new GannetCluster(cluster, directory, ClusterTls.open(cluster.tls(), home),
                config.mqtt().maxPacketSize(), clock));
    }
}
