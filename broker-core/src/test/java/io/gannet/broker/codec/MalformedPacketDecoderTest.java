package io.gannet.broker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.testing.MalformedCorpus;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The decoder's verdict on each malformed case: the reason code, and nothing decoded after the failure. */
class MalformedPacketDecoderTest {
    static Stream<MalformedCorpus.Case> decoderCases() {
        return MalformedCorpus.cases().stream().filter(c -> c.decoderReason() >= 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decoderCases")
    void reportsTheReasonCode(MalformedCorpus.Case c) {
        // Trailing valid bytes must be discarded, not decoded: the connection is finished.
        byte[] trailing = MalformedCorpus.packet(0xC0);
        for (boolean byteByByte : new boolean[] {false, true}) {
            EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(MalformedCorpus.MAX_PACKET_SIZE));
            byte[] input = MalformedCorpus.concat(c.bytes(), trailing);
            if (byteByByte) {
                for (byte b : input) {
                    ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
                }
            } else {
                ch.writeInbound(Unpooled.wrappedBuffer(input));
            }
            List<Object> out = new ArrayList<>();
            Object o;
            while ((o = ch.readInbound()) != null) {
                out.add(o);
            }
            ch.finishAndReleaseAll();
            assertThat(out).as(c.name()).isNotEmpty();
            assertThat(out.get(out.size() - 1)).as(c.name()).isInstanceOfSatisfying(DecoderFailure.class,
                    f -> assertThat(f.reasonCode()).as(c.name() + ": " + f.message()).isEqualTo(c.decoderReason()));
            assertThat(out.subList(0, out.size() - 1)).as(c.name()).allMatch(p -> p instanceof Connect);
        }
    }
}
