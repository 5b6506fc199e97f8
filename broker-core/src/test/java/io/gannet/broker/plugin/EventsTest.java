package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.Broker;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.codec.Unsubscribe;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.events.BrokerEventListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Broker events reach listening plugins, in order, off the event loops. */
class EventsTest {
    private Broker broker;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    /** Writes every event as a line; throws on one kind, which must not stop the others. */
    final class Recorder implements Plugin {
        @Override
        public void start(PluginContext ctx) {
            ctx.registerEventListener(new BrokerEventListener() {
                @Override
                public void clientConnected(ClientConnected e) {
                            seen.add("connected " + e.client().clientId() + " present=" + e.sessionPresent()
                            + " on " + Thread.currentThread().getName());
                }

                @Override
                public void clientDisconnected(ClientDisconnected e) {
                    seen.add("disconnected " + e.client().clientId() + " (" + e.reason() + ") graceful="
                            + e.graceful());
                }

                @Override
                public void subscribed(Subscribed e) {
                    seen.add("subscribed " + e.filter() + " " + e.grantedQos());
                    throw new IllegalStateException("a broken listener");
                }

                @Override
                public void unsubscribed(Unsubscribed e) {
                    seen.add("unsubscribed " + e.filter());
                }

                @Override
                public void sessionEnded(SessionEnded e) {
                    seen.add("session ended " + e.clientId());
                }
            });
        }
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void connectionSubscriptionAndSessionEvents() throws Exception {
        GannetConfig config = ConfigLoader.fromMap(Map.of())
                .withListeners(List.of(new ListenerConfig("test", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(new Recorder()).start();
        try (RawClient c = new RawClient(broker.address("test").getPort())) {
            c.send(MalformedCorpus.connect(MqttVersion.V5, "ev"));
            c.read();
            c.send(RawClient.encode(new Subscribe(1, List.of(Subscribe.TopicSubscription.of("a/#", 1)),
                    MqttProperties.EMPTY), MqttVersion.V5));
            c.readUntil(PacketType.SUBACK);
            c.send(RawClient.encode(new Unsubscribe(2, List.of("a/#"), MqttProperties.EMPTY), MqttVersion.V5));
            c.readUntil(PacketType.UNSUBACK);
            c.send(MalformedCorpus.packet(0xE0, MalformedCorpus.b(0)));
            assertThat(c.closedByBroker()).isTrue();
        }
        try (RawClient c = new RawClient(broker.address("test").getPort())) {
            c.send(MalformedCorpus.connect(MqttVersion.V5, "rude"));
            c.read();
            c.send(MalformedCorpus.packet(0x36, MalformedCorpus.str("t"), MalformedCorpus.b(0, 1), MalformedCorpus.b(0)));
            assertThat(c.closedByBroker()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() >= 8);
        // Events of one client come in order; two clients on different event loops may interleave.
        List<String> ev = seen.stream().filter(l -> l.contains(" ev") || l.contains("a/#")).toList();
        List<String> rude = seen.stream().filter(l -> l.contains("rude")).toList();
        assertThat(ev).hasSize(5);
        assertThat(ev.get(0)).startsWith("connected ev present=false on gannet-plugins");
        assertThat(ev.subList(1, 5)).containsExactly("subscribed a/# 1", "unsubscribed a/#",
                "disconnected ev (client disconnect) graceful=true", "session ended ev");
        assertThat(rude).hasSize(3);
        assertThat(rude.get(0)).startsWith("connected rude present=false");
        assertThat(rude.get(1)).startsWith("disconnected rude (PUBLISH with QoS 3").endsWith("graceful=false");
        assertThat(rude.get(2)).isEqualTo("session ended rude");
    }
}
