package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.routing.LocalRouter;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.testing.RawClient.RawPacket;
import io.gannet.broker.v5.V5;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fan-out encodes a small message once per event loop and patches each QoS 1 subscriber's packet id into its
 * copy; a large one shares its payload behind a header per subscriber. Whichever path a delivery takes, every
 * subscriber, of either protocol version and any QoS, must get exactly the PUBLISH it would get alone: its QoS,
 * its own consecutive packet ids, the topic and the payload byte for byte, and the RETAIN flag as the rules say.
 */
class FanoutEncodingTest {
    private record Sub(RawClient client, MqttVersion version, int qos) {
    }

    @ParameterizedTest(name = "payload {0} bytes")
    @ValueSource(ints = {0, 16, LocalRouter.INLINE_PAYLOAD_MAX, LocalRouter.INLINE_PAYLOAD_MAX + 1, 70_000})
    void everySubscriberGetsItsOwnCorrectPublish(int payloadSize) throws Exception {
        byte[][] payloads = new byte[3][payloadSize];
        Random random = new Random(payloadSize); // seeded: a failure repeats
        for (byte[] p : payloads) {
            random.nextBytes(p);
        }
        // Two I/O threads, so that some subscribers are on the publisher's loop and some are not.
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("network.io-threads", 2));
             RawClient pub = new RawClient(broker.port())) {
            List<Sub> subs = new ArrayList<>();
            int n = 0;
            for (MqttVersion v : new MqttVersion[] {MqttVersion.V3_1_1, MqttVersion.V5}) {
                for (int qos = 0; qos <= 2; qos++) {
                    for (int copy = 0; copy < 2; copy++) {
                        RawClient c = new RawClient(broker.port());
                        String id = "s" + n++;
                        c.send(v == MqttVersion.V5 ? V5.connect(id, true, 0) : MalformedCorpus.connect(v, id));
                        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
                        c.send(RawClient.encode(new Subscribe(1, List.of(Subscribe.TopicSubscription.of("fan/+", qos)),
                                MqttProperties.EMPTY), v));
                        assertThat(c.readUntil(PacketType.SUBACK).type()).isEqualTo(PacketType.SUBACK);
                        subs.add(new Sub(c, v, qos));
                    }
                }
            }
            pub.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "pub"));
            assertThat(pub.read().type()).isEqualTo(PacketType.CONNACK);
            // Three messages back to back: the loop's template moves from one to the next.
            for (int i = 0; i < payloads.length; i++) {
                pub.send(RawClient.encode(new Publish("fan/" + i, 1, false, false, 10 + i, MqttProperties.EMPTY,
                        payloads[i]), MqttVersion.V3_1_1));
                assertThat(pub.readUntil(PacketType.PUBACK).packetId()).isEqualTo(10 + i);
            }
            for (Sub s : subs) {
                int lastId = 0;
                for (int i = 0; i < payloads.length; i++) {
                    RawPacket raw = s.client().readUntil(PacketType.PUBLISH);
                    Publish p = (Publish) raw.decode(s.version());
                    assertThat(p.qos()).as("QoS for a QoS %d subscription", s.qos()).isEqualTo(Math.min(1, s.qos()));
                    assertThat(p.topic()).isEqualTo("fan/" + i);
                    assertThat(p.retain()).isFalse();
                    assertThat(p.dup()).isFalse();
                    assertThat(Arrays.equals(p.payload(), payloads[i])).as("payload of message %d", i).isTrue();
                    if (p.qos() > 0) {
                        assertThat(p.packetId()).as("a packet id of its own").isNotZero().isNotEqualTo(lastId);
                        lastId = p.packetId();
                        s.client().send(Acks.puback(p.packetId()));
                    }
                }
                s.client().close();
            }
        }
    }

    /**
     * A fan-out wider than the loop's flusher lets wait for the end of the turn is flushed as each read of the
     * publisher completes, while more of its burst may follow in the next read: each subscriber still gets every
     * message once, in order, under its own consecutive packet ids.
     */
    @Test
    void aWideFanOutOfABurstReachesEverySubscriberInOrder() throws Exception {
        int subscribers = 300; // above LoopFlusher.FLUSH_AFTER_READ_AT
        int messages = 20;
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of());
             RawClient pub = new RawClient(broker.port())) {
            List<RawClient> subs = new ArrayList<>();
            try {
                for (int n = 0; n < subscribers; n++) {
                    RawClient c = new RawClient(broker.port());
                    subs.add(c);
                    c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "wide" + n));
                    assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
                    c.send(RawClient.encode(new Subscribe(1, List.of(Subscribe.TopicSubscription.of("wide", 1)),
                            MqttProperties.EMPTY), MqttVersion.V3_1_1));
                    assertThat(c.readUntil(PacketType.SUBACK).type()).isEqualTo(PacketType.SUBACK);
                }
                pub.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "wide-pub"));
                assertThat(pub.read().type()).isEqualTo(PacketType.CONNACK);
                ByteArrayOutputStream burst = new ByteArrayOutputStream();
                for (int i = 0; i < messages; i++) {
                    burst.writeBytes(RawClient.encode(new Publish("wide", 1, false, false, 1 + i,
                            MqttProperties.EMPTY, new byte[] {(byte) i}), MqttVersion.V3_1_1));
                }
                pub.send(burst.toByteArray()); // one write: the broker reads the burst in as few reads as it can
                for (int i = 0; i < messages; i++) {
                    assertThat(pub.readUntil(PacketType.PUBACK).packetId()).isEqualTo(1 + i);
                }
                for (int n = 0; n < subscribers; n++) {
                    RawClient c = subs.get(n);
                    int firstId = 0;
                    for (int i = 0; i < messages; i++) {
                        Publish p = (Publish) c.readUntil(PacketType.PUBLISH).decode(MqttVersion.V3_1_1);
                        assertThat(p.payload()).as("message %d", i).containsExactly((byte) i);
                        firstId = i == 0 ? p.packetId() : firstId;
                        assertThat(p.packetId()).isEqualTo(firstId + i);
                        c.send(Acks.puback(p.packetId()));
                    }
                    if (n % 50 == 0) { // a sample: each quiet period costs its length
                        assertThat(c.silentFor(Duration.ofMillis(50))).as("nothing more, nothing twice").isTrue();
                    }
                }
            } finally {
                for (RawClient c : subs) {
                    c.close();
                }
            }
        }
    }
}
