package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.PacketType;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.testing.RawClient.RawPacket;
import java.io.EOFException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each malformed case over a real socket to a running broker: the broker answers as the spec says (CONNACK or
 * DISCONNECT with the reason code, or a plain close) and closes the connection; it keeps serving other clients.
 */
class MalformedInputTest {
    private static EmbeddedBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedBroker.start(java.util.Map.of("mqtt.max-packet-size", MalformedCorpus.MAX_PACKET_SIZE));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    static Stream<MalformedCorpus.Case> cases() {
        return MalformedCorpus.cases().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersAndCloses(MalformedCorpus.Case c) throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.send(c.bytes());
            switch (c.kind()) {
                case CONNACK -> {
                    RawPacket ack = client.read();
                    assertThat(ack.type()).isEqualTo(PacketType.CONNACK);
                    assertThat(ack.byteAt(1)).as("CONNACK code").isEqualTo(c.code());
                }
                case DISCONNECT -> {
                    RawPacket ack = client.read();
                    assertThat(ack.type()).isEqualTo(PacketType.CONNACK); // the valid CONNECT first
                    assertThat(ack.byteAt(1)).isZero();
                    RawPacket disconnect = client.readUntil(PacketType.DISCONNECT);
                    assertThat(disconnect.byteAt(0)).as("DISCONNECT reason").isEqualTo(c.code());
                }
                case CLOSE -> {
                    // A 3.x client may first get the CONNACK of its valid CONNECT; after the bad packet, nothing.
                    try {
                        RawPacket p = client.read();
                        assertThat(p.type()).isEqualTo(PacketType.CONNACK);
                        assertThat(p.byteAt(1)).isZero();
                    } catch (EOFException closedAtOnce) {
                        // fine: closed without a CONNACK
                    }
                }
            }
            assertThat(client.readTimeout(Duration.ofSeconds(10)).readUntilClosed())
                    .as("nothing more before the close").isEmpty();
        }
    }

    @Test
    void keepsServingAfterBadClients() throws Exception {
        for (MalformedCorpus.Case c : MalformedCorpus.cases()) {
            try (RawClient bad = new RawClient(broker.port())) {
                bad.send(c.bytes());
            }
        }
        try (RawClient good = new RawClient(broker.port())) {
            good.send(MalformedCorpus.connect(io.gannet.broker.codec.MqttVersion.V5, "good"));
            assertThat(good.read().type()).isEqualTo(PacketType.CONNACK);
        }
        assertThat(broker.broker().metrics().malformedPackets()).isPositive();
    }
}
