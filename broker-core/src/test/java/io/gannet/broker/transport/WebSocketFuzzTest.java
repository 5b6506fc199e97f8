package io.gannet.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.DecoderFailure;
import io.gannet.broker.codec.MqttDecoder;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PingReq;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.testing.MalformedCorpus;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket path of a ws listener (HTTP upgrade, origin check, frames, then the MQTT decoder) on any bytes: no
 * exception escapes the pipeline, nothing but MQTT packets (or the decoder's verdict) comes out of it, and no
 * buffer leaks (the leak detector runs at PARANOID).
 *
 * <p>Input layout: byte 0 even, the whole stream is fuzzed, the HTTP request included; odd, a valid upgrade comes
 * first and the rest is WebSocket frames. Byte 1 seeds the split points. Seeds (masked binary frames with MQTT
 * packets, continuations, control and text frames) are in {@code WebSocketFuzzTestInputs/framing}; rewrite them
 * with {@code -Dgannet.regenerate=true}.
 */
class WebSocketFuzzTest {
    private static final Path SEEDS = Path.of("src/test/resources/io/gannet/broker/transport/WebSocketFuzzTestInputs/"
            + "framing");
    static final byte[] UPGRADE = upgradeTo("/mqtt");
    private static final ListenerConfig LISTENER = new ListenerConfig("ws", "127.0.0.1", 0, "ws");
    private static final BrokerMetrics METRICS = new BrokerMetrics();

    /** A client's upgrade request to {@code target}. */
    static byte[] upgradeTo(String target) {
        return ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:8083\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @FuzzTest(maxDuration = "30s")
    void framing(byte[] input) {
        for (Object o : run(input)) {
            assertThat(o).as("only MQTT reaches the connection").isInstanceOfAny(MqttPacket.class,
                    DecoderFailure.class);
        }
    }

    /** What comes out of the pipeline for one input. */
    private static List<Object> run(byte[] input) {
        List<Object> out = new ArrayList<>();
        if (input.length < 2) {
            return out;
        }
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        EmbeddedChannel ch = new EmbeddedChannel();
        MqttChannelInitializer.addWebSocket(ch.pipeline(), LISTENER, 4096, 10_000, METRICS);
        ch.pipeline().addLast(new MqttDecoder(4096));
        List<Throwable> unexpected = new ArrayList<>();
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // As the connection does: an I/O error (a write after the close, say) closes quietly; anything else
                // is a bug.
                if (!(cause instanceof IOException)) {
                    unexpected.add(cause);
                }
                ctx.close();
            }
        });
        try {
            if ((input[0] & 1) == 1) {
                ch.writeInbound(Unpooled.wrappedBuffer(UPGRADE)); // a client sends frames once the upgrade is done
            }
            int seed = input[1] & 0xFF;
            for (int at = 0; at < stream.length && ch.isOpen(); ) {
                seed = seed * 1_103_515_245 + 12_345;
                int n = Math.min(stream.length - at, 1 + ((seed >>> 16) & 127));
                ch.writeInbound(Unpooled.copiedBuffer(stream, at, n)); // rethrows what reached the pipeline's end
                at += n;
            }
            for (Object o; (o = ch.readInbound()) != null; ) {
                out.add(o);
                ReferenceCountUtil.release(o);
            }
            assertThat(unexpected).as("errors that reached the connection").isEmpty();
        } finally {
            ch.finishAndReleaseAll();
        }
        return out;
    }

    /** A client's frame: FIN or not, the opcode, masked (with a zero key, so the bytes stay readable). */
    private static byte[] frame(boolean fin, int opcode, byte[] payload) {
        byte[] header = payload.length < 126
                ? new byte[] {(byte) ((fin ? 0x80 : 0) | opcode), (byte) (0x80 | payload.length), 0, 0, 0, 0}
                : new byte[] {(byte) ((fin ? 0x80 : 0) | opcode), (byte) (0x80 | 126), (byte) (payload.length >> 8),
                    (byte) payload.length, 0, 0, 0, 0};
        return MalformedCorpus.concat(header, payload);
    }

    @Test
    void seedsAreThere() throws IOException {
        byte[] connect = MalformedCorpus.connect(MqttVersion.V5, "ws-fuzz");
        byte[] ping = {(byte) 0xC0, 0};
        Map<String, byte[]> seeds = Map.of(
                "connect-in-one-frame", frame(true, 2, connect),
                "connect-split-over-a-continuation", MalformedCorpus.concat(
                        frame(false, 2, Arrays.copyOf(connect, 5)),
                        frame(true, 0, Arrays.copyOfRange(connect, 5, connect.length))),
                "connect-then-pingreq", MalformedCorpus.concat(frame(true, 2, connect), frame(true, 2, ping)),
                "control-frames", MalformedCorpus.concat(frame(true, 9, new byte[] {1}), frame(true, 8, new byte[0])),
                "text-frame", frame(true, 1, "CONNECT".getBytes(StandardCharsets.US_ASCII)),
                "frame-too-large", frame(true, 2, new byte[5000]));
        if (Boolean.getBoolean("gannet.regenerate")) {
            Files.createDirectories(SEEDS);
            for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
                Files.write(SEEDS.resolve(seed.getKey()), MalformedCorpus.concat(new byte[] {1, 3}, seed.getValue()));
            }
            Files.write(SEEDS.resolve("whole-upgrade"), MalformedCorpus.concat(new byte[] {0, 5}, UPGRADE,
                    seeds.get("connect-in-one-frame")));
            Files.write(SEEDS.resolve("finding-2-absolute-url"), MalformedCorpus.concat(new byte[] {0, 5},
                    upgradeTo("http://127.0.0.1/mqtt"), seeds.get("connect-in-one-frame")));
        }
        for (String name : seeds.keySet()) {
            assertThat(SEEDS.resolve(name)).as("run with -Dgannet.regenerate=true").exists();
        }
        // The harness reaches MQTT: a seed's packets come out decoded.
        assertThat(run(Files.readAllBytes(SEEDS.resolve("connect-then-pingreq"))))
                .hasExactlyElementsOfTypes(Connect.class, PingReq.class);
        assertThat(run(Files.readAllBytes(SEEDS.resolve("connect-split-over-a-continuation"))))
                .hasExactlyElementsOfTypes(Connect.class);
    }
}
