package io.gannet.broker.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's PUBLISH template keeps one buffer and encodes the next message into it, unless a QoS 0 delivery still
 * shares it: the bytes a subscriber was given never change under it.
 */
class PublishTemplateTest {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final PublishTemplate template = PublishTemplate.ofThisLoop();

    @AfterEach
    void releaseTheTemplatesBuffer() {
        // A message of its own, so that the next test encodes again; the old buffer goes back to the pool.
        template.packet(alloc, message("t", "x".repeat(40)), MqttVersion.V5, 0, false, 0).release();
    }

    @Test
    void eachMessageIsEncodedWholeWithTheSubscribersPacketId() {
        for (int i = 0; i < 5; i++) {
            Message m = message("devices/" + i + "/température", "payload " + i);
            for (MqttVersion version : MqttVersion.values()) {
                ByteBuf copy = template.packet(alloc, m, version, 1, false, 100 + i);
                try {
                    assertThat(ByteBufUtil.getBytes(copy)).as("message %d, %s", i, version)
                            .isEqualTo(expected(m, version, 1, 100 + i));
                } finally {
                    copy.release();
                }
            }
        }
    }

    @Test
    void aQos0DeliveryThatStillSharesTheBytesKeepsThemWhenTheNextMessageIsEncoded() {
        // The first is the larger, so that the second would fit into its buffer.
        Message first = message("a/b", "the first message");
        ByteBuf shared = template.packet(alloc, first, MqttVersion.V5, 0, false, 0);
        byte[] sharedBytes = ByteBufUtil.getBytes(shared);
        assertThat(sharedBytes).isEqualTo(expected(first, MqttVersion.V5, 0, 0));

        Message second = message("a/c", "other");
        ByteBuf out = alloc.buffer();
        try {
            int size = template.size(alloc, second, MqttVersion.V5, 1, false);
            template.writeTo(out, alloc, second, MqttVersion.V5, 1, false, 7);
            assertThat(out.readableBytes()).isEqualTo(size);
            assertThat(ByteBufUtil.getBytes(out)).isEqualTo(expected(second, MqttVersion.V5, 1, 7));
            assertThat(ByteBufUtil.getBytes(shared)).as("the QoS 0 delivery's bytes").isEqualTo(sharedBytes);
        } finally {
            out.release();
            shared.release();
        }

        // Nothing shares the buffer now: the next message is encoded into it, whole.
        Message third = message("a/d", "third");
        ByteBuf copy = template.packet(alloc, third, MqttVersion.V3_1_1, 1, true, 9);
        try {
            assertThat(ByteBufUtil.getBytes(copy)).isEqualTo(expected(third, MqttVersion.V3_1_1, 1, 9, true));
        } finally {
            copy.release();
        }
    }

    @Test
    void aLargerMessageThanTheBufferHoldsGetsABufferOfItsOwn() {
        template.packet(alloc, message("s", "1"), MqttVersion.V5, 1, false, 1).release();
        Message large = message("s/" + "long/".repeat(40), "y".repeat(200));
        ByteBuf copy = template.packet(alloc, large, MqttVersion.V5, 1, false, 2);
        try {
            assertThat(ByteBufUtil.getBytes(copy)).isEqualTo(expected(large, MqttVersion.V5, 1, 2));
        } finally {
            copy.release();
        }
    }

    private static Message message(String topic, String payload) {
        return new Message(topic, 1, false, payload.getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY, "pub");
    }

    private byte[] expected(Message m, MqttVersion version, int qos, int packetId) {
        return expected(m, version, qos, packetId, false);
    }

    /** The PUBLISH as the codec writes it for one subscriber. */
    private byte[] expected(Message m, MqttVersion version, int qos, int packetId, boolean retain) {
        ByteBuf header = PacketWriter.encodePublishHeader(alloc, version, m.topic(), qos, false, retain, packetId,
                m.properties(), m.payload().length);
        try {
            header.writeBytes(m.payload());
            return ByteBufUtil.getBytes(header);
        } finally {
            header.release();
        }
    }
}
