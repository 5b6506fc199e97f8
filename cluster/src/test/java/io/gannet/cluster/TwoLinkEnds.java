package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.LocalSubscriptions;
import io.gannet.broker.transport.Transport;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Two nodes' link ends in one JVM, on real sockets, without Raft: node a's links out and node b's link server, on
 * the same event loops. What Raft would tell them (who the members are, what is durable or departed at b) the test
 * sets itself.
 */
final class TwoLinkEnds implements AutoCloseable {
    static final Transport NIO = Transport.select("nio");
    private static final LinkServer.SessionNews NO_NEWS = new LinkServer.SessionNews() {
        @Override
        public void hostedThere(String host, String clientId, long routesAt) {
        }

        @Override
        public void connectedThere(String node, String clientId, long atMillis, boolean newSession) {
        }
    };

    final EventLoopGroup workers;
    final ClusterConfig.Node a;
    final ClusterConfig.Node b;
    final LinkCounters countersA = new LinkCounters();
    final LinkCounters countersB = new LinkCounters();
    LinkServer serverB;
    NodeLinks linksA;

    TwoLinkEnds(int loops) throws IOException {
        this.workers = NIO.newGroup(loops, "links-test");
        this.a = new ClusterConfig.Node("a", "127.0.0.1", freePort(), 1);
        this.b = new ClusterConfig.Node("b", "127.0.0.1", freePort(), 1);
    }

    /**
     * Starts b's link server, knowing the nodes {@code members} as its cluster.
     *
     * @param durableHere whether b has a persistent session's subscriber to a topic
     */
    void startB(List<ClusterConfig.Node> members, Predicate<String> durableHere, DepartedFilters departed)
            throws InterruptedException {
        serverB = new LinkServer(new ClusterConfig(true, "b", members, "data", 1, 10_000, null), ClusterTls.PLAIN, 1 << 20,
                Clock.systemUTC(), countersB, NO_NEWS, durableHere, departed);
        serverB.start(workers, NIO, new LocalRouter(new LocalSubscriptions(), PooledByteBufAllocator.DEFAULT));
    }

    /** Starts a's links to the other nodes of {@code members}. */
    void startA(List<ClusterConfig.Node> members) {
        linksA = new NodeLinks(new ClusterConfig(true, "a", members, "data", 1, 10_000, null), ClusterTls.PLAIN,
                Clock.systemUTC(), countersA);
        linksA.start(workers, NIO);
    }

    @Override
    public void close() {
        if (linksA != null) {
            linksA.close();
        }
        if (serverB != null) {
            serverB.close();
        }
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
