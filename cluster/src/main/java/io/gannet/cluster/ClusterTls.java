package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.ConfigSchema;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * Mutual TLS between the nodes of a cluster ({@code cluster.tls-*}), or none. With it, a node's links and its Raft
 * server take a connection only from a peer whose certificate {@code tls-trust} vouches for, and present their own
 * certificate to the peers they connect to: nothing that can merely reach the ports can inject messages into the
 * links or entries into the cluster's logs, and what passes between nodes is encrypted.
 *
 * <p>The links use the broker's Netty (OpenSSL where available); Raft uses Ratis's own gRPC stack, configured from
 * the same PEM files.
 */
final class ClusterTls {
    /** Plain connections: {@code cluster.tls-*} not set. */
    static final ClusterTls PLAIN = new ClusterTls(null, null, null);

    private final SslContext server;
    private final SslContext client;
    private final GrpcTlsConfig raft;

    private ClusterTls(SslContext server, SslContext client, GrpcTlsConfig raft) {
        this.server = server;
        this.client = client;
        this.raft = raft;
    }

    /**
     * Reads the files of {@code tls} (relative to {@code home}); {@link #PLAIN} for {@code null}.
     *
     * @throws ConfigException naming the key of a file that is missing or does not hold what it should
     */
    static ClusterTls open(ClusterConfig.Tls tls, Path home) {
        if (tls == null) {
            return PLAIN;
        }
        File certificate = readable(ConfigSchema.CLUSTER_TLS_CERTIFICATE.path(), home, tls.certificate());
        File key = readable(ConfigSchema.CLUSTER_TLS_PRIVATE_KEY.path(), home, tls.privateKey());
        File trust = readable(ConfigSchema.CLUSTER_TLS_TRUST.path(), home, tls.trust());
        try {
            SslContext server = SslContextBuilder.forServer(certificate, key).trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE).build();
            // The peer's certificate must name the host this node reaches it at, as a browser checks a site's.
            SslContext client = SslContextBuilder.forClient().keyManager(certificate, key).trustManager(trust)
                    .endpointIdentificationAlgorithm("HTTPS").build();
            return new ClusterTls(server, client, new GrpcTlsConfig(key, certificate, trust, true));
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(ConfigSchema.CLUSTER_TLS_CERTIFICATE.path() + ", "
                    + ConfigSchema.CLUSTER_TLS_PRIVATE_KEY.path() + ", " + ConfigSchema.CLUSTER_TLS_TRUST.path()
                    + ": cannot make a TLS context of " + certificate + ", " + key + " and " + trust + ": "
                    + e.getMessage(), e);
        }
    }

    private static File readable(String key, Path home, String configured) {
        Path file = home.resolve(configured).normalize();
        if (!Files.isReadable(file)) {
            throw new ConfigException(key + ": cannot read " + file);
        }
        return file.toFile();
    }

    boolean isOn() {
        return server != null;
    }

    /**
     * Puts TLS in front of an accepted link's pipeline. A handshake that fails (a peer without a certificate the
     * trust vouches for, or no TLS at all) reaches the pipeline's handlers as an exception.
     */
    void acceptSide(Channel ch) {
        if (server != null) {
            ch.pipeline().addFirst(server.newHandler(ch.alloc()));
        }
    }

    /** Puts TLS in front of the pipeline of a link this node opens to {@code host}. */
    void connectSide(Channel ch, String host, int port) {
        if (client != null) {
            ch.pipeline().addFirst(client.newHandler(ch.alloc(), host, port));
        }
    }

    /** Done once {@code ch} may carry frames: at once for a plain one, after its TLS handshake otherwise. */
    Future<?> secured(Channel ch) {
        SslHandler handler = ch.pipeline().get(SslHandler.class);
        return handler == null ? ch.eventLoop().newSucceededFuture(null) : handler.handshakeFuture();
    }

    /** Configures Ratis's server, clients and admin calls for mutual TLS; nothing for plain connections. */
    void configure(Parameters parameters) {
        if (raft != null) {
            GrpcConfigKeys.Server.setTlsConf(parameters, raft);
            GrpcConfigKeys.Client.setTlsConf(parameters, raft);
            GrpcConfigKeys.Admin.setTlsConf(parameters, raft);
        }
    }
}
