package io.gannet.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Message counters bumped from event-loop threads (a cell each) and from other threads (shared) add up. */
class BrokerMetricsTest {
    @Test
    void countsFromLoopsAndOtherThreadsAddUp() throws Exception {
        BrokerMetrics metrics = new BrokerMetrics();
        int perThread = 100_000;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Runnable work = () -> {
                for (int n = 0; n < perThread; n++) {
                    metrics.messageSent(3);
                    metrics.messageReceived(5);
                }
            };
            // Two like the broker's event loops (FastThreadLocalThread), two like a plugin's own threads.
            threads.add(i % 2 == 0 ? new FastThreadLocalThread(work) : new Thread(work));
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(metrics.messagesSent()).isEqualTo(4L * perThread);
        assertThat(metrics.bytesSent()).isEqualTo(12L * perThread);
        assertThat(metrics.messagesReceived()).isEqualTo(4L * perThread);
        assertThat(metrics.bytesReceived()).isEqualTo(20L * perThread);
    }
}
