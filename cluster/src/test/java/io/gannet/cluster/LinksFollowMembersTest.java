package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.routing.LocalSubscriptions;
import io.gannet.broker.transport.Transport;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The links follow the members (membership at run time, step 1): a node that joins is linked to from every event
 * loop and its links are taken once the receiving node has applied the join; a node that leaves is linked to no
 * more. Two nodes' link ends in one JVM, on real sockets, without Raft: the test applies the joins itself.
 */
class LinksFollowMembersTest {
    private static final Transport NIO = Transport.select("nio");
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final LinkServer.SessionNews NO_NEWS = new LinkServer.SessionNews() {
        @Override
        public void hostedThere(String clientId) {
        }

        @Override
        public void connectedThere(String node, String clientId, long atMillis, boolean newSession) {
        }
    };

    private final EventLoopGroup workers = NIO.newGroup(2, "links-test");
    private final LinkCounters countersA = new LinkCounters();
    private final LinkCounters countersB = new LinkCounters();
    private LinkServer serverB;
    private NodeLinks linksA;

    @AfterEach
    void close() {
        if (linksA != null) {
            linksA.close();
        }
        if (serverB != null) {
            serverB.close();
        }
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aJoinedNodeIsLinkedToFromEveryLoopOnceItTakesTheLinksAndALeftOneNoMore() throws Exception {
        ClusterConfig.Node a = new ClusterConfig.Node("a", "127.0.0.1", freePort(), 1);
        ClusterConfig.Node b = new ClusterConfig.Node("b", "127.0.0.1", freePort(), 1);
        // Each end starts knowing only itself, as a founding node knows only the nodes of cluster.nodes.
        serverB = new LinkServer(new ClusterConfig(true, "b", List.of(b), "data", 1, null), ClusterTls.PLAIN,
                1 << 20, Clock.systemUTC(), countersB, NO_NEWS, topic -> false);
        serverB.start(workers, NIO, new LocalRouter(new LocalSubscriptions(), PooledByteBufAllocator.DEFAULT));
        linksA = new NodeLinks(new ClusterConfig(true, "a", List.of(a), "data", 1, null), ClusterTls.PLAIN,
                Clock.systemUTC(), countersA);
        linksA.start(workers, NIO);
        assertThat(countersA.linksUp()).isZero();

        // a applies b's join first: it links to b from both loops, and b, which has not applied it yet, refuses.
        linksA.join(1, b);
        await().atMost(WITHIN).until(() -> countersB.refusedCount() > 0);
        serverB.allow("a");
        // Once b has, its links stay up and a message sent on them arrives.
        await().atMost(WITHIN).until(() -> {
            sendFromEveryLoop();
            return countersA.linksUp() == 2 && countersB.receivedCount() > 0;
        });

        // b leaves: both loops close their links to it, for good.
        linksA.leave(1);
        await().atMost(WITHIN).until(() -> countersA.linksUp() == 0);
        long dropped = countersA.droppedCount();
        long sent = countersA.sentCount();
        sendFromEveryLoop();
        assertThat(countersA.sentCount()).as("nothing routes to a node that left").isEqualTo(sent);
        assertThat(countersA.droppedCount()).isEqualTo(dropped);
    }

    /** One QoS 0 message to place 1 from each loop, as routing on that loop sends it. */
    private void sendFromEveryLoop() throws Exception {
        Message m = new Message("t/1", 0, false, new byte[] {1}, MqttProperties.EMPTY, "c", 0);
        for (EventExecutor e : workers) {
            e.submit(() -> linksA.send(1L << 1, 0, m, new SharedPicks(0))).get(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
