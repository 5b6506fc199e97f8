package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Will messages are published when a connection ends without DISCONNECT (socket error, keep-alive timeout,
 * protocol error, takeover), never after DISCONNECT; keep alive is enforced at one and a half times the interval.
 */
class WillAndKeepAliveTest {
    private EmbeddedBroker broker;
    private Mqtt3BlockingClient watcher;
    private Mqtt3BlockingClient.Mqtt3Publishes wills;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start();
        watcher = Clients.v3(broker, "watcher");
        watcher.connect();
        wills = watcher.publishes(MqttGlobalPublishFilter.ALL);
        watcher.subscribeWith().topicFilter("wills/#").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @AfterEach
    void stop() {
        wills.close();
        watcher.disconnect();
        broker.close();
    }

    private static byte[] connectWithWill(MqttVersion version, String id, int keepAlive, boolean retain) {
        return RawClient.encode(new Connect(version, id, true, keepAlive, null, null,
                new Connect.Will("wills/" + id, ("gone " + id).getBytes(StandardCharsets.UTF_8), 1, retain,
                        MqttProperties.EMPTY), MqttProperties.EMPTY), version);
    }

    private Optional<Mqtt3Publish> nextWill(Duration wait) throws InterruptedException {
        return wills.receive(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void publishedWhenTheSocketCloses() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(connectWithWill(MqttVersion.V3_1_1, "dropped", 60, false));
            c.read();
        } // closed without DISCONNECT
        Mqtt3Publish will = nextWill(Duration.ofSeconds(10)).orElseThrow();
        assertThat(will.getTopic().toString()).isEqualTo("wills/dropped");
        assertThat(new String(will.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("gone dropped");
        assertThat(will.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
    }

    @Test
    void notPublishedAfterDisconnect() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(connectWithWill(MqttVersion.V3_1_1, "polite", 60, false));
            c.read();
            c.send(MalformedCorpus.packet(0xE0)); // DISCONNECT [MQTT-3.14.4-3]
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(nextWill(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void publishedOnKeepAliveTimeout() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(connectWithWill(MqttVersion.V5, "silent", 1, false));
            c.read();
            // Sends nothing: after 1.5 s the broker gives up with 0x8D [MQTT-3.1.2-24].
            RawClient.RawPacket d = c.readTimeout(Duration.ofSeconds(10)).read();
            assertThat(d.type()).isEqualTo(PacketType.DISCONNECT);
            assertThat(d.byteAt(0)).isEqualTo(ReasonCode.KEEP_ALIVE_TIMEOUT);
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(nextWill(Duration.ofSeconds(10)).orElseThrow().getTopic().toString()).isEqualTo("wills/silent");
    }

    @Test
    void pingsKeepTheConnectionAlive() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(connectWithWill(MqttVersion.V3_1_1, "pinger", 1, false));
            c.read();
            // Six pings half a second apart: three seconds, twice the 1.5 s the broker allows without a packet.
            for (int i = 0; i < 6; i++) {
                c.readTimeout(Duration.ofSeconds(10)).send(MalformedCorpus.packet(0xC0));
                assertThat(c.read().type()).isEqualTo(PacketType.PINGRESP);
                assertThat(c.silentFor(Duration.ofMillis(500))).as("still open, nothing sent").isTrue();
            }
        }
        // Closed by the test without DISCONNECT: the will now goes out, which also proves it stayed connected.
        assertThat(nextWill(Duration.ofSeconds(10)).orElseThrow().getTopic().toString()).isEqualTo("wills/pinger");
    }

    @Test
    void aPacketThatArrivesSlowlyKeepsTheConnectionAlive() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(connectWithWill(MqttVersion.V3_1_1, "trickle", 1, false));
            c.read();
            // One QoS 1 PUBLISH in six pieces half a second apart: three seconds for one packet, twice the 1.5 s
            // the broker allows without one. Bytes that arrive are not silence.
            byte[] publish = RawClient.encode(new Publish("trickle/t", 1, false, false, 7, MqttProperties.EMPTY,
                    new byte[20]), MqttVersion.V3_1_1);
            int piece = (publish.length + 5) / 6;
            for (int from = 0; from < publish.length; from += piece) {
                c.readTimeout(Duration.ofSeconds(10)).send(Arrays.copyOfRange(publish, from,
                        Math.min(publish.length, from + piece)));
                if (from + piece < publish.length) {
                    assertThat(c.silentFor(Duration.ofMillis(500))).as("still open, nothing sent").isTrue();
                }
            }
            assertThat(c.readUntil(PacketType.PUBACK).packetId()).isEqualTo(7);
        }
        assertThat(nextWill(Duration.ofSeconds(10)).orElseThrow().getTopic().toString()).isEqualTo("wills/trickle");
    }

    @Test
    void publishedOnProtocolError() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(connectWithWill(MqttVersion.V3_1_1, "rude", 60, false));
            c.read();
            c.send(MalformedCorpus.packet(0x36, MalformedCorpus.str("t"), MalformedCorpus.b(0, 1))); // QoS 3
            assertThat(c.closedByBroker()).isTrue();
        }
        assertThat(nextWill(Duration.ofSeconds(10)).orElseThrow().getTopic().toString()).isEqualTo("wills/rude");
    }

    @Test
    void publishedOnTakeoverAndRetainedWhenAsked() throws Exception {
        try (RawClient first = new RawClient(broker.port()); RawClient second = new RawClient(broker.port())) {
            first.send(connectWithWill(MqttVersion.V3_1_1, "twin", 60, true));
            first.read();
            second.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "twin"));
            second.read();
            assertThat(first.closedByBroker()).isTrue();
        }
        assertThat(nextWill(Duration.ofSeconds(10)).orElseThrow().getTopic().toString()).isEqualTo("wills/twin");
        assertThat(broker.broker().retained().size()).isEqualTo(1);
    }
}
