package io.gannet.broker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gannet.broker.testing.MalformedCorpus;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;

/**
 * The decoder on any byte stream, fed in any split: it never throws, never decodes past its first failure, names the
 * failure with an MQTT reason code, and leaks no buffer (the leak detector runs at PARANOID).
 *
 * <p>Input layout, so that seeds are easy to write by hand: byte 0 picks the protocol (0: none, 1: a 3.1 CONNECT
 * first, 2: 3.1.1, 3: 5.0), byte 1 seeds the split points, and the rest is the stream. Seeds, one valid packet of
 * every type per version, are in {@code DecoderFuzzTestInputs/decoder}; findings go there too.
 */
class DecoderFuzzTest {
    private static final int MAX_PACKET_SIZE = 65_536;
    private static final MqttVersion[] VERSIONS = {null, MqttVersion.V3_1, MqttVersion.V3_1_1, MqttVersion.V5};

    @FuzzTest(maxDuration = "30s")
    void decoder(byte[] input) {
        if (input.length < 2) {
            return;
        }
        MqttVersion version = VERSIONS[(input[0] & 0xFF) % VERSIONS.length];
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        if (version != null) {
            stream = MalformedCorpus.concat(MalformedCorpus.connect(version, "fuzz"), stream);
        }
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(MAX_PACKET_SIZE));
        try {
            int seed = input[1] & 0xFF;
            for (int at = 0; at < stream.length; ) {
                seed = seed * 1_103_515_245 + 12_345; // a small LCG: splits of 1 to 64 bytes, repeatable
                int n = Math.min(stream.length - at, 1 + ((seed >>> 16) & 63));
                ch.writeInbound(Unpooled.copiedBuffer(stream, at, n)); // rethrows what the pipeline threw
                at += n;
            }
            boolean failed = false;
            for (Object o; (o = ch.readInbound()) != null; ) {
                assertThat(failed).as("nothing is decoded after a failure").isFalse();
                if (o instanceof DecoderFailure f) {
                    failed = true;
                    assertThat(f.reasonCode()).as(f.message()).isBetween(0x80, 0xA2);
                    assertThat(f.message()).isNotBlank();
                } else {
                    assertThat(o).isInstanceOf(MqttPacket.class);
                    assertThat(o.toString()).isNotNull(); // every component readable
                }
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
