package io.gannet.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.config.SessionConfig.QueueFullPolicy;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A session's queue when it is full: QoS 0 goes first, the policy decides for the rest, and what it holds is what a
 * plain list with the same rules holds, whatever the order of offers, sends, put-backs and removals.
 */
class MessageQueueTest {
    private static final int MAX = 5;
    private final List<Long> dropped = new ArrayList<>();
    private final MessageQueue.DropListener drops = (d, reason, wasQueued) -> {
        assertThat(reason).isEqualTo(DropReason.QUEUE_FULL);
        dropped.add(d.seq);
    };

    @Test
    void aFullQueueEvictsItsOldestQos0MessageForANewQos1One() {
        MessageQueue queue = new MessageQueue(3, 1 << 20, new QueueBudget(Long.MAX_VALUE));
        queue.offer(delivery(1, 1), QueueFullPolicy.DROP_NEWEST, drops);
        queue.offer(delivery(2, 0), QueueFullPolicy.DROP_NEWEST, drops);
        queue.offer(delivery(3, 0), QueueFullPolicy.DROP_NEWEST, drops);

        assertThat(queue.offer(delivery(4, 1), QueueFullPolicy.DROP_NEWEST, drops))
                .isEqualTo(MessageQueue.Offer.QUEUED);
        assertThat(queue.offer(delivery(5, 0), QueueFullPolicy.DROP_NEWEST, drops))
                .as("a new QoS 0 message never evicts").isEqualTo(MessageQueue.Offer.DROPPED);
        assertThat(queue.offer(delivery(6, 2), QueueFullPolicy.DROP_NEWEST, drops))
                .isEqualTo(MessageQueue.Offer.QUEUED);
        assertThat(queue.offer(delivery(7, 1), QueueFullPolicy.DROP_NEWEST, drops))
                .as("no QoS 0 message left to evict").isEqualTo(MessageQueue.Offer.DROPPED);
        assertThat(dropped).containsExactly(2L, 5L, 3L, 7L);
        assertThat(seqs(queue)).containsExactly(1L, 4L, 6L);
    }

    @Test
    void aQos0MessagePutBackIsEvictedAgain() {
        MessageQueue queue = new MessageQueue(2, 1 << 20, new QueueBudget(Long.MAX_VALUE));
        queue.offer(delivery(1, 0), QueueFullPolicy.DROP_NEWEST, drops);
        queue.offer(delivery(2, 1), QueueFullPolicy.DROP_NEWEST, drops);
        Delivery sent = queue.poll();
        queue.offer(delivery(3, 1), QueueFullPolicy.DROP_NEWEST, drops);
        queue.pushFront(sent); // it could not be written

        queue.offer(delivery(4, 1), QueueFullPolicy.DROP_NEWEST, drops);
        assertThat(dropped).as("the put-back QoS 0 message, then the new one: still no room").containsExactly(1L, 4L);
        assertThat(seqs(queue)).containsExactly(2L, 3L);
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 30);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void holdsWhatAListWithTheSameRulesHolds(long seed) {
        Random random = new Random(seed);
        QueueFullPolicy policy = QueueFullPolicy.values()[random.nextInt(QueueFullPolicy.values().length)];
        MessageQueue queue = new MessageQueue(MAX, 1 << 20, new QueueBudget(Long.MAX_VALUE));
        LinkedList<Delivery> model = new LinkedList<>();
        List<Long> modelDropped = new ArrayList<>();
        long seq = 0;
        for (int step = 0; step < 2_000; step++) {
            int op = random.nextInt(10);
            if (op < 6) {
                Delivery d = delivery(++seq, random.nextInt(3));
                queue.offer(d, policy, drops);
                offer(model, d, policy, modelDropped);
            } else if (op < 8) {
                Delivery d = queue.poll();
                assertThat(d).isSameAs(model.pollFirst());
                if (d != null && random.nextInt(4) == 0) {
                    queue.pushFront(d);
                    model.addFirst(d);
                }
            } else if (op == 8) {
                int qos = random.nextInt(3);
                queue.removeIf(d -> d.qos == qos && d.seq % 2 == 0);
                model.removeIf(d -> d.qos == qos && d.seq % 2 == 0);
            } else if (random.nextInt(10) == 0) {
                queue.clear();
                model.clear();
            }
            assertThat(seqs(queue)).as("step %d", step).isEqualTo(model.stream().map(d -> d.seq).toList());
            assertThat(dropped).isEqualTo(modelDropped);
        }
    }

    /** The rules, written as plainly as they can be. */
    private static void offer(LinkedList<Delivery> model, Delivery d, QueueFullPolicy policy, List<Long> dropped) {
        if (model.size() < MAX) {
            model.addLast(d);
            return;
        }
        if (d.qos == 0) {
            dropped.add(d.seq);
            return;
        }
        Delivery qos0;
        while (model.size() >= MAX && (qos0 = model.stream().filter(q -> q.qos == 0).findFirst().orElse(null)) != null) {
            model.remove(qos0);
            dropped.add(qos0.seq);
        }
        if (model.size() >= MAX) { // put-backs may have taken it over the limit
            if (policy != QueueFullPolicy.DROP_OLDEST) {
                dropped.add(d.seq);
                return;
            }
            while (model.size() >= MAX) {
                dropped.add(model.pollFirst().seq);
            }
        }
        model.addLast(d);
    }

    private static List<Long> seqs(MessageQueue queue) {
        List<Long> seqs = new ArrayList<>();
        List<Delivery> taken = new ArrayList<>();
        Delivery d;
        while ((d = queue.poll()) != null) {
            seqs.add(d.seq);
            taken.add(d);
        }
        for (int i = taken.size() - 1; i >= 0; i--) {
            queue.pushFront(taken.get(i));
        }
        return seqs;
    }

    private static Delivery delivery(long seq, int qos) {
        Message m = new Message("t", qos, false, new byte[16], MqttProperties.EMPTY, "p", 0);
        return new Delivery(seq, m, qos, false, null, null, false);
    }
}
