package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A QoS 1 message sent to a node for a persistent session's subscriber, by routes older than a departure there from
 * a filter it matches, is answered as not kept: it may have been meant for the session that left, which the sender's
 * routes did not yet place elsewhere. Node b has a persistent subscriber to the filter still (as another session
 * would), and the test notes the departures itself.
 */
class StaleRoutesOverLinksTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    private final TwoLinkEnds ends = new TwoLinkEnds(1);
    private final DepartedFilters departedB = new DepartedFilters(System::currentTimeMillis);

    StaleRoutesOverLinksTest() throws IOException {
    }

    @AfterEach
    void close() {
        ends.close();
    }

    @Test
    void aMessageRoutedBeforeADepartureFromItsFilterIsNotKeptAndOneRoutedAfterIs() throws Exception {
        ends.startB(List.of(ends.a, ends.b), topic -> true, departedB);
        ends.startA(List.of(ends.a, ends.b));
        await().atMost(WITHIN).until(() -> ends.countersA.linksUp() == 1);

        assertThat(sendToB("move/m", 9).get(10, TimeUnit.SECONDS)).as("no departure yet").isNull();
        departedB.left("move/#", 10);
        assertThat(sendToB("move/m", 9)).as("routed by routes from before the departure")
                .failsWithin(10, TimeUnit.SECONDS);
        assertThat(sendToB("move/m", 10).get(10, TimeUnit.SECONDS)).as("routed by routes that knew of it").isNull();
        assertThat(sendToB("elsewhere/m", 9).get(10, TimeUnit.SECONDS)).as("a topic of no departure").isNull();
    }

    /** A QoS 1 message to b, for its persistent sessions, routed as of {@code routedAt}; sent on a's loop. */
    private CompletableFuture<Void> sendToB(String topic, long routedAt) throws Exception {
        Message m = new Message(topic, 1, false, new byte[] {1}, MqttProperties.EMPTY, "c", 0);
        CompletableFuture<Void> answer = ends.workers.next()
                .submit(() -> ends.linksA.send(1L << 1, 1L << 1, m, new SharedPicks(0), routedAt))
                .get(5, TimeUnit.SECONDS);
        assertThat(answer).as("a QoS 1 message for a durable node waits for its answer").isNotNull();
        return answer;
    }
}
