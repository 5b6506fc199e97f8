package io.gannet.cluster;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;

/** QoS 1 publishing as the cluster tests count it: by the reason code of each PUBACK. */
final class Qos1 {
    /** How the tests print a moment: as the nodes' logs do. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private Qos1() {
    }

    /**
     * The first arrival of each payload with {@code prefix}, in the order they came, until {@code count} of them or
     * a quiet 10 s. Other payloads (probes) and second deliveries (QoS 1 sent again) are passed over.
     */
    static List<String> firstArrivals(Mqtt5BlockingClient.Mqtt5Publishes received, String prefix, int count)
            throws InterruptedException {
        List<String> firsts = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        while (firsts.size() < count) {
            java.util.Optional<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish> p =
                    received.receive(10, java.util.concurrent.TimeUnit.SECONDS);
            if (p.isEmpty()) {
                break;
            }
            String payload = new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8);
            if (payload.startsWith(prefix) && seen.add(payload)) {
                firsts.add(payload);
            }
        }
        return firsts;
    }

    /**
     * Publishes {@code payload} to {@code topic} at QoS 1 and waits for its PUBACK's reason code, an error code too:
     * the blocking client throws on one, which an await that retries a refused message would take for a failure.
     */
    static Mqtt5PubAckReasonCode reasonOf(Mqtt5BlockingClient pub, String topic, String payload) {
        try {
            Mqtt5PublishResult r = pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (Mqtt5PubAckException refused) {
            return refused.getMqttMessage().getReasonCode();
        }
    }

    /**
     * A publisher thread sending {@code prefix}0, {@code prefix}1, ... to one topic at QoS 1, each as soon as the
     * last is answered, until closed. A message answered with an error, or lost with its connection, is counted as
     * not acknowledged; while its client is reconnecting, the thread waits for it.
     */
    static final class Load implements AutoCloseable {
        /** The payloads whose PUBACK said success: what every subscriber must get. */
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        /** When each acknowledged message was, by this JVM's clock: to find it in the nodes' logs. */
        private final Map<String, Long> acknowledgedAt = new ConcurrentHashMap<>();
        /** Messages not acknowledged. */
        final AtomicInteger failed = new AtomicInteger();
        private final String prefix;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Load(Mqtt5BlockingClient pub, String topic, String prefix) {
            this.prefix = prefix;
            thread = new Thread(() -> {
                for (int i = 0; running.get(); i++) {
                    String payload = prefix + i;
                    try {
                        if (reasonOf(pub, topic, payload) == Mqtt5PubAckReasonCode.SUCCESS) {
                            acknowledgedAt.put(payload, System.currentTimeMillis());
                            acknowledged.add(payload);
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (RuntimeException notAcknowledged) {
                        // Its node stopped under it, or a subscriber's node could not keep it.
                        failed.incrementAndGet();
                        Awaitility.await().atMost(Duration.ofSeconds(60))
                                .until(() -> pub.getState().isConnected() || !running.get());
                    }
                }
            }, prefix + "-publisher");
            thread.start();
        }

        /** Waits until {@code more} messages beyond those acknowledged now are. */
        void awaitMore(int more, Duration within) {
            int before = acknowledged.size();
            Awaitility.await().atMost(within).until(() -> acknowledged.size() >= before + more);
        }

        /**
         * The acknowledged messages not in {@code received}, as sorted runs ("r12-r40"), short enough to print; each
         * run with the time its first message was acknowledged, to find it in the nodes' logs.
         */
        List<String> missingFrom(Set<String> received) {
            int[] lost = acknowledged.stream().filter(m -> !received.contains(m))
                    .mapToInt(m -> Integer.parseInt(m.substring(prefix.length()))).sorted().toArray();
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < lost.length; ) {
                int j = i;
                while (j + 1 < lost.length && lost[j + 1] == lost[j] + 1) {
                    j++;
                }
                String first = prefix + lost[i];
                runs.add((i == j ? first : first + "-" + prefix + lost[j]) + " (acknowledged at "
                        + TIME.format(Instant.ofEpochMilli(acknowledgedAt.get(first))) + ")");
                i = j + 1;
            }
            return runs;
        }

        /** Stops sending and waits for the message in flight. */
        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(60_000);
        }
    }
}
