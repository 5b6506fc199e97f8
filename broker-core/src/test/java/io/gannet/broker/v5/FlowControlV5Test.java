package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.metrics.BrokerMetrics.DropReason;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Receive Maximum and Maximum Packet Size, in both directions [3.1.2.11.3, 3.1.2.11.4, 4.9]. */
class FlowControlV5Test {

    @Test
    void neverMoreUnacknowledgedThanTheClientsReceiveMaximum() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start();
             RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.send(V5.connect("sub", true, V5.props().number(PropertyId.RECEIVE_MAXIMUM, 2).build()));
            sub.read();
            sub.send(V5.subscribe(1, "rm", 1));
            sub.read();
            pub.send(V5.connect("pub", true, 0));
            pub.read();
            for (int i = 0; i < 5; i++) {
                pub.send(V5.publish("rm", 1, i + 1, MqttProperties.EMPTY, "m" + i));
                pub.read();
            }
            Publish first = (Publish) sub.read().decode(MqttVersion.V5);
            sub.read();
            assertThat(sub.silentFor(Duration.ofMillis(300))).as("[MQTT-3.3.4-9]").isTrue();
            sub.send(RawClient.encode(new PubAck(first.packetId()), MqttVersion.V5));
            Publish third = (Publish) sub.read().decode(MqttVersion.V5);
            assertThat(V5.text(third)).isEqualTo("m2");
            assertThat(sub.silentFor(Duration.ofMillis(300))).isTrue();
        }
    }

    @Test
    void brokerAnnouncesItsLimitsInConnAck() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("mqtt.receive-maximum", 20,
                "mqtt.max-packet-size", 5000)); RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("c", true, 0));
            ConnAck ack = (ConnAck) c.read().decode(MqttVersion.V5);
            assertThat(ack.properties().number(PropertyId.RECEIVE_MAXIMUM, -1)).isEqualTo(20);
            assertThat(ack.properties().number(PropertyId.MAXIMUM_PACKET_SIZE, -1)).isEqualTo(5000);
        }
    }

    @Test
    void packetsLargerThanTheClientAcceptsAreDroppedAndCounted() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start();
             RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.send(V5.connect("small", true, V5.props().number(PropertyId.MAXIMUM_PACKET_SIZE, 64).build()));
            sub.read();
            sub.send(V5.subscribe(1, "size", 1));
            sub.read();
            pub.send(V5.connect("pub", true, 0));
            pub.read();
            pub.send(V5.publish("size", 1, 1, MqttProperties.EMPTY, "x".repeat(200)));
            pub.read();
            pub.send(V5.publish("size", 1, 2, MqttProperties.EMPTY, "fits"));
            pub.read();
            Publish p = (Publish) sub.read().decode(MqttVersion.V5);
            assertThat(V5.text(p)).as("the large one was skipped [MQTT-3.1.2-25]").isEqualTo("fits");
            assertThat(broker.broker().metrics().droppedCount(DropReason.TOO_LARGE_FOR_CLIENT)).isEqualTo(1);
        }
    }

    @Test
    void anInflightMessageTooLargeForTheReconnectedClientIsDroppedAndFreesItsSlot() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient pub = new RawClient(broker.port())) {
            try (RawClient sub = new RawClient(broker.port())) {
                sub.send(V5.connect("shrinks", false, V5.props().number(PropertyId.SESSION_EXPIRY_INTERVAL, 600)
                        .number(PropertyId.RECEIVE_MAXIMUM, 1).build()));
                sub.read();
                sub.send(V5.subscribe(1, "shrink", 1));
                sub.readUntil(PacketType.SUBACK);
                pub.send(V5.connect("pub", true, 0));
                pub.read();
                pub.send(V5.publish("shrink", 1, 1, MqttProperties.EMPTY, "x".repeat(200)));
                pub.readUntil(PacketType.PUBACK);
                assertThat(sub.read().type()).isEqualTo(PacketType.PUBLISH); // and not acknowledged
            }
            pub.send(V5.publish("shrink", 1, 2, MqttProperties.EMPTY, "fits"));
            pub.readUntil(PacketType.PUBACK);
            try (RawClient sub = new RawClient(broker.port())) {
                // Back with a Maximum Packet Size the first message no longer fits in, and a window of one.
                sub.send(V5.connect("shrinks", false, V5.props().number(PropertyId.SESSION_EXPIRY_INTERVAL, 600)
                        .number(PropertyId.RECEIVE_MAXIMUM, 1).number(PropertyId.MAXIMUM_PACKET_SIZE, 64).build()));
                assertThat(((ConnAck) sub.read().decode(MqttVersion.V5)).sessionPresent()).isTrue();
                Publish p = (Publish) sub.read().decode(MqttVersion.V5);
                assertThat(V5.text(p)).as("the slot of the one that no longer fits was freed").isEqualTo("fits");
                assertThat(broker.broker().metrics().droppedCount(DropReason.TOO_LARGE_FOR_CLIENT)).isEqualTo(1);
            }
        }
    }

    @Test
    void messagesLeftInACleanSessionThatEndsAreCountedAsDropped() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient pub = new RawClient(broker.port())) {
            try (RawClient sub = new RawClient(broker.port())) {
                sub.send(V5.connect("leaves", true, V5.props().number(PropertyId.RECEIVE_MAXIMUM, 1).build()));
                sub.read();
                sub.send(V5.subscribe(1, "left", 1));
                sub.readUntil(PacketType.SUBACK);
                pub.send(V5.connect("pub", true, 0));
                pub.read();
                for (int i = 1; i <= 3; i++) {
                    pub.send(V5.publish("left", 1, i, MqttProperties.EMPTY, "m" + i));
                    pub.readUntil(PacketType.PUBACK);
                }
                assertThat(sub.read().type()).isEqualTo(PacketType.PUBLISH); // one in flight, two queued
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> broker.broker().metrics().droppedCount(DropReason.SESSION_ENDED) == 3);
        }
    }

    @Test
    void reasonStringsGoFirstWhenAnAckWouldBeTooLarge() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(); RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("tiny", true, V5.props().number(PropertyId.MAXIMUM_PACKET_SIZE, 10).build()));
            c.read();
            // A refused share name normally carries a Reason String; it does not fit in 10 bytes.
            c.send(V5.subscribe(1, "$share/a+b/t", 0));
            RawClient.RawPacket ack = c.read();
            assertThat(ack.type()).isEqualTo(PacketType.SUBACK);
            assertThat(ack.body().length + 2).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void quotaExceededDisconnectsWith0x97() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(Map.of("sessions.max-queued-messages", 1,
                "sessions.queue-full-policy", "disconnect", "mqtt.inflight-window", 1));
             RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.send(V5.connect("slow", true, 0));
            sub.read();
            sub.send(V5.subscribe(1, "q", 1));
            sub.read();
            pub.send(V5.connect("pub", true, 0));
            pub.read();
            for (int i = 0; i < 3; i++) { // one in flight, one queued, the third does not fit
                pub.send(V5.publish("q", 1, i + 1, MqttProperties.EMPTY, "m" + i));
                pub.read();
            }
            RawClient.RawPacket d = sub.readUntil(PacketType.DISCONNECT);
            assertThat(d.byteAt(0)).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            assertThat(sub.closedByBroker()).isTrue();
        }
    }
}
