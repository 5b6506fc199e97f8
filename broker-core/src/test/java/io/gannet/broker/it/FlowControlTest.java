package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.session.Session;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure: a subscriber that does not read or does not acknowledge is bounded by its in-flight window and
 * queue, its overflow is counted, and other clients are served meanwhile.
 */
class FlowControlTest {
    private static final int QUEUE = 100;
    /** Small, so that a test fills the window and then the queue behind it with a few dozen messages. */
    private static final int WINDOW = 32;

    private static EmbeddedBroker start(String policy) {
        return EmbeddedBroker.start(java.util.Map.of("sessions.max-queued-messages", QUEUE,
                "sessions.max-queued-bytes", 1 << 20, "sessions.queue-full-policy", policy,
                "mqtt.inflight-window", WINDOW));
    }

    private static void subscribe(RawClient c, String id, String filter, int qos) throws Exception {
        c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, id));
        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
        c.send(RawClient.encode(new Subscribe(1, List.of(Subscribe.TopicSubscription.of(filter, qos)),
                MqttProperties.EMPTY), MqttVersion.V3_1_1));
        assertThat(c.read().type()).isEqualTo(PacketType.SUBACK);
    }

    /** Reads a value of a session on its own event loop, where its state lives. */
    private static int onOwner(EmbeddedBroker broker, String clientId, java.util.function.ToIntFunction<Session> f)
            throws Exception {
        Session s = broker.broker().sessions().get(clientId);
        CompletableFuture<Integer> result = new CompletableFuture<>();
        s.execute(() -> result.complete(f.applyAsInt(s)));
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void inflightWindowLimitsUnacknowledgedDeliveries() throws Exception {
        try (EmbeddedBroker broker = start("drop-oldest");
             RawClient lazy = new RawClient(broker.port())) {
            subscribe(lazy, "lazy", "w", 1);
            Mqtt3BlockingClient pub = Clients.v3(broker, "pub");
            pub.connect();
            for (int i = 0; i < 50; i++) {
                pub.publishWith().topic("w").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[8]).send();
            }
            int window = WINDOW;
            int[] ids = new int[window];
            for (int i = 0; i < window; i++) {
                ids[i] = lazy.read().packetId();
            }
            assertThat(lazy.silentFor(Duration.ofMillis(300))).as("no PUBLISH beyond the window").isTrue();
            assertThat(onOwner(broker, "lazy", s -> s.outbound().inflightCount())).isEqualTo(window);
            assertThat(onOwner(broker, "lazy", s -> s.outbound().queued())).isEqualTo(50 - window);
            // Acknowledging frees the window and the queue drains, in order.
            lazy.readTimeout(Duration.ofSeconds(10));
            for (int id : ids) {
                lazy.send(new PubAck(id), MqttVersion.V3_1_1);
            }
            for (int i = window; i < 50; i++) {
                int id = lazy.read().packetId();
                lazy.send(new PubAck(id), MqttVersion.V3_1_1);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> onOwner(broker, "lazy", s -> s.outbound().inflightCount()) == 0);
            pub.disconnect();
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsBoundedAndDoesNotStallOthers() throws Exception {
        try (EmbeddedBroker broker = start("drop-oldest");
             RawClient stuck = new RawClient(broker.port()).receiveBuffer(4096)) {
            subscribe(stuck, "stuck", "flood", 0);
            Mqtt3BlockingClient fast = Clients.v3(broker, "fast");
            fast.connect();
            Mqtt3BlockingClient pub = Clients.v3(broker, "pub");
            pub.connect();
            try (Mqtt3BlockingClient.Mqtt3Publishes in = fast.publishes(MqttGlobalPublishFilter.ALL)) {
                fast.subscribeWith().topicFilter("flood").qos(MqttQos.AT_MOST_ONCE).send();
                byte[] payload = new byte[4096];
                // 32 MB: beyond what loopback socket buffers (which grow to several MB), the channel's write
                // buffer and the session queue can hold, so the stuck subscriber's queue must overflow.
                int messages = 8000;
                for (int i = 0; i < messages; i++) {
                    pub.publishWith().topic("flood").qos(MqttQos.AT_MOST_ONCE).payload(payload).send();
                }
                // The reading subscriber gets (nearly) everything while the other one reads nothing.
                int received = 0;
                while (in.receive(5, TimeUnit.SECONDS).isPresent() && ++received < messages) {
                    // counting
                }
                assertThat(received).isGreaterThan(messages * 9 / 10);
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.broker().metrics().droppedCount(DropReason.QUEUE_FULL) > 0);
            assertThat(onOwner(broker, "stuck", s -> s.outbound().queued())).isLessThanOrEqualTo(QUEUE);
            pub.disconnect();
            fast.disconnect();
        }
    }

    @Test
    void disconnectPolicyClosesTheSlowClient() throws Exception {
        try (EmbeddedBroker broker = start("disconnect");
             RawClient lazy = new RawClient(broker.port())) {
            subscribe(lazy, "lazy", "d", 1);
            Mqtt3BlockingClient pub = Clients.v3(broker, "pub");
            pub.connect();
            int window = WINDOW;
            for (int i = 0; i < window + QUEUE + 1; i++) {
                pub.publishWith().topic("d").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[8]).send();
            }
            assertThat(lazy.closedByBroker()).isTrue();
            assertThat(broker.broker().metrics().droppedCount(DropReason.QUEUE_FULL)).isEqualTo(1);
            pub.disconnect();
        }
    }
}
