package io.gannet.broker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * decode(encode(x)) == x for every packet type of every version, over seeded random packets, through the real
 * frame decoder: whole, byte by byte, and in random slices with many packets per read.
 */
class CodecRoundTripTest {
    private static final int SEEDS = 40;

    static Stream<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (MqttVersion v : MqttVersion.values()) {
            for (PacketType t : PacketType.values()) {
                if (t == PacketType.AUTH && !v.isV5()) {
                    continue; // AUTH exists only in 5.0
                }
                args.add(Arguments.of(v, t));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void roundTripsWholeAndFragmented(MqttVersion version, PacketType type) {
        for (long seed = 0; seed < SEEDS; seed++) {
            RandomPackets gen = new RandomPackets(seed * 31 + type.ordinal(), version);
            Connect connect = gen.connect();
            MqttPacket packet = type == PacketType.CONNECT ? null : gen.any(type);
            List<MqttPacket> expected = new ArrayList<>();
            expected.add(connect);
            if (packet != null) {
                expected.add(packet);
                expected.add(packet); // twice: two packets in one read
            }
            byte[] wire = encodeAll(expected, version);
            String context = "seed " + seed + " " + expected;
            assertThat(decode(wire, new int[] {wire.length})).as(context).isEqualTo(expected);
            assertThat(decode(wire, ones(wire.length))).as(context).isEqualTo(expected);
            assertThat(decode(wire, randomSlices(wire.length, new Random(seed)))).as(context).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void encodedSizeMatchesEncoding(MqttVersion version, PacketType type) {
        for (long seed = 0; seed < SEEDS; seed++) {
            MqttPacket packet = new RandomPackets(seed, version).any(type);
            ByteBuf buf = PacketWriter.encode(Unpooled.buffer().alloc(), packet, version);
            try {
                assertThat(buf.readableBytes()).isEqualTo(PacketWriter.encodedSize(packet, version));
            } finally {
                buf.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void sharedPayloadHeaderPlusPayloadEqualsWholePacket(MqttVersion version) {
        for (long seed = 0; seed < SEEDS; seed++) {
            Publish p = new RandomPackets(seed, version).publish();
            ByteBuf whole = PacketWriter.encode(Unpooled.buffer().alloc(), p, version);
            ByteBuf header = PacketWriter.encodePublishHeader(Unpooled.buffer().alloc(), version, p.topic(), p.qos(),
                    p.dup(), p.retain(), p.packetId(), p.properties(), p.payload().length);
            try {
                ByteBuf joined = Unpooled.wrappedBuffer(header.retain(), Unpooled.wrappedBuffer(p.payload()));
                assertThat(joined).isEqualTo(whole);
                joined.release();
            } finally {
                whole.release();
                header.release();
            }
        }
    }

    /**
     * A PUBLISH header is written into a buffer of its exact size, which never grows: Netty's writeUtf8 made room for
     * three bytes a char first, and reallocated the buffer of every PUBLISH encoded.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("versions")
    void aPublishHeaderFillsTheBufferItWasSizedFor(MqttVersion version) {
        for (long seed = 0; seed < SEEDS; seed++) {
            Publish p = new RandomPackets(seed, version).publish();
            ByteBuf header = PacketWriter.encodePublishHeader(Unpooled.buffer().alloc(), version, p.topic(), p.qos(),
                    p.dup(), p.retain(), p.packetId(), p.properties(), p.payload().length);
            try {
                assertThat(header.capacity()).as("seed %d, topic %s", seed, p.topic()).isEqualTo(header.writerIndex());
            } finally {
                header.release();
            }
        }
    }

    static Stream<MqttVersion> versions() {
        return Stream.of(MqttVersion.values());
    }

    static byte[] encodeAll(List<MqttPacket> packets, MqttVersion version) {
        ByteBuf all = Unpooled.buffer();
        for (MqttPacket p : packets) {
            ByteBuf one = PacketWriter.encode(Unpooled.buffer().alloc(), p, version);
            all.writeBytes(one);
            one.release();
        }
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        all.release();
        return bytes;
    }

    /** Feeds {@code wire} to a fresh decoder in slices of the given sizes and returns what it emitted. */
    static List<Object> decode(byte[] wire, int[] slices) {
        EmbeddedChannel ch = new EmbeddedChannel(new MqttDecoder(MqttWire.MAX_VAR_INT + 5));
        int offset = 0;
        for (int size : slices) {
            ch.writeInbound(Unpooled.copiedBuffer(wire, offset, size));
            offset += size;
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static int[] ones(int n) {
        int[] s = new int[n];
        java.util.Arrays.fill(s, 1);
        return s;
    }

    private static int[] randomSlices(int n, Random r) {
        List<Integer> sizes = new ArrayList<>();
        int left = n;
        while (left > 0) {
            int s = 1 + r.nextInt(Math.min(left, 17));
            sizes.add(s);
            left -= s;
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }
}
