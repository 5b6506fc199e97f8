package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.Clients;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.testing.RawClient.RawPacket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The QoS 1 and QoS 2 flows from publisher to broker: acknowledgements and exactly-once routing. */
class QosFlowTest {

    private static byte[] publish(int qos, boolean dup, int id, String payload) {
        return RawClient.encode(new Publish("x", qos, dup, false, id, MqttProperties.EMPTY,
                payload.getBytes(StandardCharsets.UTF_8)), MqttVersion.V3_1_1);
    }

    @Test
    void qos2IsRoutedOnceHoweverOftenTheClientResendsBeforePubRel() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient pub = new RawClient(broker.port())) {
            Mqtt3BlockingClient sub = Clients.v3(broker, "sub");
            sub.connect();
            try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter("x").qos(MqttQos.EXACTLY_ONCE).send();
                pub.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "pub"));
                pub.read();
                pub.send(publish(2, false, 7, "once"));
                assertThat(pub.read().type()).isEqualTo(PacketType.PUBREC);
                pub.send(publish(2, true, 7, "once")); // resent with DUP, as after a lost PUBREC
                RawPacket rec = pub.read();
                assertThat(rec.type()).isEqualTo(PacketType.PUBREC);
                assertThat(rec.packetId()).isEqualTo(7);
                pub.send(Acks.pubrel(7));
                RawPacket comp = pub.read();
                assertThat(comp.type()).isEqualTo(PacketType.PUBCOMP);
                assertThat(comp.packetId()).isEqualTo(7);
                // After the release the id is free again: a new message under it is routed [MQTT-4.3.3-10].
                pub.send(publish(2, false, 7, "twice"));
                assertThat(pub.read().type()).isEqualTo(PacketType.PUBREC);
                pub.send(Acks.pubrel(7));
                pub.read();

                Optional<Mqtt3Publish> first = in.receive(10, TimeUnit.SECONDS);
                Optional<Mqtt3Publish> second = in.receive(10, TimeUnit.SECONDS);
                assertThat(new String(first.orElseThrow().getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("once");
                assertThat(new String(second.orElseThrow().getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("twice");
                assertThat(in.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
            } finally {
                sub.disconnect();
            }
        }
    }

    @Test
    void qos1IsAcknowledgedWithItsPacketId() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient pub = new RawClient(broker.port())) {
            pub.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "pub"));
            pub.read();
            pub.send(publish(1, false, 4242, "p"));
            RawPacket ack = pub.read();
            assertThat(ack.type()).isEqualTo(PacketType.PUBACK);
            assertThat(ack.packetId()).isEqualTo(4242);
            assertThat(ack.body()).hasSize(2);
        }
    }

    @Test
    void pubRelForAnUnknownIdIsStillCompleted() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient c = new RawClient(broker.port())) {
            c.send(MalformedCorpus.connect(MqttVersion.V5, "c"));
            c.read();
            c.send(RawClient.encode(new io.gannet.broker.codec.PubRel(99), MqttVersion.V5));
            RawPacket comp = c.read();
            assertThat(comp.type()).isEqualTo(PacketType.PUBCOMP);
            assertThat(comp.byteAt(2)).isEqualTo(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
            assertThat(((io.gannet.broker.codec.PubComp) comp.decode(MqttVersion.V5)).properties()
                    .string(io.gannet.broker.codec.PropertyId.REASON_STRING)).contains("99");
        }
    }

    @Test
    void tooManyUnreleasedQos2MessagesDisconnect() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(java.util.Map.of("mqtt.receive-maximum", 3)); RawClient c = new RawClient(broker.port())) {
            c.send(MalformedCorpus.connect(MqttVersion.V5, "greedy"));
            c.read();
            for (int id = 1; id <= 4; id++) {
                c.send(RawClient.encode(new Publish("x", 2, false, false, id, MqttProperties.EMPTY, new byte[1]),
                        MqttVersion.V5));
            }
            RawPacket last = c.readUntil(PacketType.DISCONNECT);
            assertThat(last.byteAt(0)).isEqualTo(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void aClientThatKeepsSendingStillReadsWhyItWasDisconnected() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(java.util.Map.of("mqtt.receive-maximum", 3));
             RawClient c = new RawClient(broker.port())) {
            c.send(MalformedCorpus.connect(MqttVersion.V5, "flooder"));
            c.read();
            // One write: four unreleased QoS 2 messages (one too many), then 2 MB more that the broker will not read
            // before it decides. Closing with that unread would reset the connection before the DISCONNECT arrives.
            java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
            for (int id = 1; id <= 4; id++) {
                burst.write(RawClient.encode(new Publish("x", 2, false, false, id, MqttProperties.EMPTY, new byte[1]),
                        MqttVersion.V5));
            }
            byte[] more = RawClient.encode(new Publish("x", 0, false, false, 0, MqttProperties.EMPTY,
                    new byte[1000]), MqttVersion.V5);
            for (int i = 0; i < 2000; i++) {
                burst.write(more);
            }
            Thread writer = new Thread(() -> {
                try {
                    c.send(burst.toByteArray());
                } catch (java.io.IOException expected) {
                    // the broker closes while we write: fine
                }
            });
            writer.start();
            // Read only once the writer is done (all written, or refused): a reset, if any, has arrived by then.
            writer.join(10_000);
            RawPacket last = c.readUntil(PacketType.DISCONNECT);
            assertThat(last.byteAt(0)).isEqualTo(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
            assertThat(c.closedCleanly()).as("the end of the stream after the DISCONNECT, not a reset").isTrue();
        }
    }
}
