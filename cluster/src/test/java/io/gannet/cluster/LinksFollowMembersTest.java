package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
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
    private static final Duration WITHIN = Duration.ofSeconds(30);

    private final TwoLinkEnds ends = new TwoLinkEnds(2);

    LinksFollowMembersTest() throws IOException {
    }

    @AfterEach
    void close() {
        ends.close();
    }

    @Test
    void aJoinedNodeIsLinkedToFromEveryLoopOnceItTakesTheLinksAndALeftOneNoMore() throws Exception {
        // Each end starts knowing only itself, as a founding node knows only the nodes of cluster.nodes.
        ends.startB(List.of(ends.b), topic -> false, new DepartedFilters(System::currentTimeMillis));
        ends.startA(List.of(ends.a));
        assertThat(ends.countersA.linksUp()).isZero();

        // a applies b's join first: it links to b from both loops, and b, which has not applied it yet, refuses.
        ends.linksA.join(1, ends.b);
        await().atMost(WITHIN).until(() -> ends.countersB.refusedCount() > 0);
        ends.serverB.allow("a");
        // Once b has, its links stay up and a message sent on them arrives.
        await().atMost(WITHIN).until(() -> {
            sendFromEveryLoop();
            return ends.countersA.linksUp() == 2 && ends.countersB.receivedCount() > 0;
        });

        // b leaves: both loops close their links to it, for good.
        ends.linksA.leave(1);
        await().atMost(WITHIN).until(() -> ends.countersA.linksUp() == 0);
        long dropped = ends.countersA.droppedCount();
        long sent = ends.countersA.sentCount();
        sendFromEveryLoop();
        assertThat(ends.countersA.sentCount()).as("nothing routes to a node that left").isEqualTo(sent);
        assertThat(ends.countersA.droppedCount()).isEqualTo(dropped);
    }

    /** One QoS 0 message to place 1 from each loop, as routing on that loop sends it. */
    private void sendFromEveryLoop() throws Exception {
        Message m = new Message("t/1", 0, false, new byte[] {1}, MqttProperties.EMPTY, "c", 0);
        for (EventExecutor e : ends.workers) {
            e.submit(() -> ends.linksA.send(1L << 1, 0, m, new SharedPicks(0), 0)).get(5, TimeUnit.SECONDS);
        }
    }
}
