package io.gannet.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.metrics.BrokerMetrics.Refusal;
import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A listener's {@code max-connections} and {@code connections-per-second}. */
class AdmissionControlTest {
    @Test
    void pastTheRateTheListenerStopsAcceptingUntilTheSecondIsOver() {
        BrokerMetrics metrics = new BrokerMetrics();
        AdmissionControl control = new AdmissionControl(new ListenerConfig("l", "127.0.0.1", 0, "mqtt", 100, 3, List.of()),
                metrics);
        EmbeddedChannel server = new EmbeddedChannel(control);
        server.writeInbound(new EmbeddedChannel());
        server.writeInbound(new EmbeddedChannel());
        assertThat(server.config().isAutoRead()).isTrue();
        server.writeInbound(new EmbeddedChannel());
        assertThat(server.config().isAutoRead()).as("the third of the second").isFalse();
        assertThat(server.inboundMessages()).as("accepted, not refused").hasSize(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            server.runPendingTasks();
            return server.config().isAutoRead();
        });
        assertThat(metrics.refusedCount(Refusal.CONNECTIONS)).isZero();
        server.finishAndReleaseAll();
    }

    @Test
    void oneConnectionPastTheMaximumIsClosedAtOnceAndCounted() throws Exception {
        // Through the configuration file's form, so that the key is read as a user writes it.
        Broker broker = new Broker(ConfigLoader.fromMap(Map.of("listeners", List.of(Map.of("name", "capped", "port", 0,
                "max-connections", 2)), "sys", Map.of("interval-seconds", 0)))).start();
        int port = broker.address("capped").getPort();
        try {
            List<RawClient> open = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                RawClient c = new RawClient(port);
                c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "c" + i));
                assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
                open.add(c);
            }
            try (RawClient third = new RawClient(port)) {
                assertThat(third.closedByBroker()).isTrue();
            }
            assertThat(broker.metrics().refusedCount(Refusal.CONNECTIONS)).isEqualTo(1);
            open.get(0).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (RawClient again = new RawClient(port)) {
                    again.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "again"));
                    return again.read().type() == PacketType.CONNACK;
                } catch (java.io.IOException closed) {
                    return false;
                }
            });
            for (RawClient c : open) {
                c.close();
            }
        } finally {
            broker.close();
        }
    }
}
