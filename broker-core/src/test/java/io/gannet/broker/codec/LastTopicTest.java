package io.gannet.broker.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A connection's PUBLISHes to the topic it used last reuse its string, and nothing unchecked gets through. */
class LastTopicTest {
    private final LastTopic last = new LastTopic();

    private Publish read(String topic, MqttVersion version) {
        ByteBuf packet = PacketWriter.encode(Unpooled.buffer().alloc(), new Publish(topic, 1, false, false, 7,
                MqttProperties.EMPTY, "x".getBytes(StandardCharsets.UTF_8)), version);
        try {
            packet.skipBytes(2); // the fixed header: these packets are shorter than 128 bytes
            return (Publish) PacketReader.read(PacketType.PUBLISH, 0x02, packet, version, last);
        } finally {
            packet.release();
        }
    }

    @Test
    void theSameTopicAgainIsTheSameString() {
        for (MqttVersion v : new MqttVersion[] {MqttVersion.V3_1_1, MqttVersion.V5}) {
            Publish first = read("site/1/device/42/temperature", v);
            Publish second = read("site/1/device/42/temperature", v);
            assertThat(second.topic()).isSameAs(first.topic()).isEqualTo("site/1/device/42/temperature");
            assertThat(second.packetId()).isEqualTo(7);
            assertThat(second.payload()).containsExactly('x');
        }
    }

    @Test
    void anotherTopicOfTheSameLengthIsDecodedAndChecked() {
        Publish a = read("a/b", MqttVersion.V3_1_1);
        Publish c = read("a/c", MqttVersion.V3_1_1);
        assertThat(c.topic()).isEqualTo("a/c").isNotSameAs(a.topic());
        // Same length as the remembered topic, different bytes: validated as any new topic [MQTT-3.3.2-2].
        assertThatThrownBy(() -> read("a/+", MqttVersion.V3_1_1)).isInstanceOf(MalformedPacketException.class);
        assertThat(read("a/c", MqttVersion.V3_1_1).topic()).isEqualTo("a/c");
    }

    @Test
    void aLongerOrShorterTopicIsNotMistakenForTheLastOne() {
        read("abc", MqttVersion.V3_1_1);
        assertThat(read("abcd", MqttVersion.V3_1_1).topic()).isEqualTo("abcd");
        assertThat(read("ab", MqttVersion.V3_1_1).topic()).isEqualTo("ab");
        assertThat(read("ab", MqttVersion.V3_1_1).topic()).isEqualTo("ab");
    }
}
