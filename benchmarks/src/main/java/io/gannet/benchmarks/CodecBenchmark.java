package io.gannet.benchmarks;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.codec.PacketReader;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.codec.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of PUBLISH, by protocol version, QoS, payload size (16 B, 1 KiB, 64 KiB) and, for 5.0, with
 * or without properties (content type, message expiry, two user properties). {@code decode} parses the fixed
 * header and the body from a buffer, as the frame decoder does; {@code encode} writes the whole packet into a
 * pooled buffer; {@code encodeSharedHeader} writes only the header, as the fan-out path does before it appends the
 * payload buffer shared by all subscribers. CONNECT and SUBSCRIBE are in {@link ControlPacketBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Event loop threads have a pooled-allocator cache; JMH threads get one only with useCacheForAllThreads.
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dio.netty.leakDetection.level=disabled",
    "-Dio.netty.allocator.useCacheForAllThreads=true"})
public class CodecBenchmark {
    @Param({"V3_1_1", "V5"})
    public MqttVersion version;

    @Param({"0", "1"})
    public int qos;

    @Param({"16", "1024", "65536"})
    public int payload;

    /** 5.0 properties on the PUBLISH (ignored for 3.1.1, which has none). */
    @Param({"false", "true"})
    public boolean properties;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private Publish publish;
    private ByteBuf wire;

    @Setup
    public void setup() {
        MqttProperties props = properties && version == MqttVersion.V5 ? MqttProperties.builder()
                .string(io.gannet.broker.codec.PropertyId.CONTENT_TYPE, "application/json")
                .number(io.gannet.broker.codec.PropertyId.MESSAGE_EXPIRY_INTERVAL, 3600)
                .userProperty("device", "sensor-42").userProperty("firmware", "1.4.2").build() : MqttProperties.EMPTY;
        publish = new Publish("sensors/building-7/floor-3/temperature", qos, false, false, qos == 0 ? 0 : 4711,
                props, new byte[payload]);
        wire = PacketWriter.encode(alloc, publish, version);
    }

    @TearDown
    public void tearDown() {
        wire.release();
    }

    @Benchmark
    public Object decode() {
        ByteBuf in = wire.duplicate();
        int first = in.readUnsignedByte();
        int remaining = MqttWire.readVarInt(in);
        return PacketReader.read(PacketType.PUBLISH, first & 0x0F, in.readSlice(remaining), version);
    }

    @Benchmark
    public int encode() {
        ByteBuf out = PacketWriter.encode(alloc, publish, version);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public int encodeSharedHeader() {
        ByteBuf out = PacketWriter.encodePublishHeader(alloc, version, publish.topic(), qos, false, false,
                publish.packetId(), publish.properties(), payload);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
