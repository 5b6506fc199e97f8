package io.gannet.benchmarks;

import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.codec.PacketReader;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Subscribe;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * Encode and decode of the packets that open a session: a CONNECT with user name, password and a will, and a
 * SUBSCRIBE to three filters; 3.1.1 and 5.0 (with session expiry, receive maximum and a subscription identifier).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dio.netty.leakDetection.level=disabled",
    "-Dio.netty.allocator.useCacheForAllThreads=true"})
public class ControlPacketBenchmark {
    @Param({"V3_1_1", "V5"})
    public MqttVersion version;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private Connect connect;
    private Subscribe subscribe;
    private ByteBuf connectWire;
    private ByteBuf subscribeWire;

    @Setup
    public void setup() {
        boolean v5 = version == MqttVersion.V5;
        MqttProperties connectProps = v5 ? MqttProperties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 3600)
                .number(PropertyId.RECEIVE_MAXIMUM, 100).build() : MqttProperties.EMPTY;
        connect = new Connect(version, "device-7f3a9c21", false, 60, "device-7f3a9c21",
                "a-long-enough-password".getBytes(StandardCharsets.UTF_8),
                new Connect.Will("devices/device-7f3a9c21/status", "offline".getBytes(StandardCharsets.UTF_8), 1,
                        true, MqttProperties.EMPTY), connectProps);
        subscribe = new Subscribe(17, List.of(Subscribe.TopicSubscription.of("devices/device-7f3a9c21/cmd/#", 1),
                Subscribe.TopicSubscription.of("fleet/+/broadcast", 0),
                Subscribe.TopicSubscription.of("config/device-7f3a9c21", 1)),
                v5 ? MqttProperties.builder().number(PropertyId.SUBSCRIPTION_IDENTIFIER, 42).build()
                        : MqttProperties.EMPTY);
        connectWire = PacketWriter.encode(alloc, connect, version);
        subscribeWire = PacketWriter.encode(alloc, subscribe, version);
    }

    @TearDown
    public void tearDown() {
        connectWire.release();
        subscribeWire.release();
    }

    private MqttPacket decode(ByteBuf wire, PacketType type) {
        ByteBuf in = wire.duplicate();
        int first = in.readUnsignedByte();
        int remaining = MqttWire.readVarInt(in);
        return PacketReader.read(type, first & 0x0F, in.readSlice(remaining), version);
    }

    @Benchmark
    public Object decodeConnect() {
        return decode(connectWire, PacketType.CONNECT);
    }

    @Benchmark
    public Object decodeSubscribe() {
        return decode(subscribeWire, PacketType.SUBSCRIBE);
    }

    @Benchmark
    public int encodeConnect() {
        ByteBuf out = PacketWriter.encode(alloc, connect, version);
        int n = out.readableBytes();
        out.release();
        return n;
    }

    @Benchmark
    public int encodeSubscribe() {
        ByteBuf out = PacketWriter.encode(alloc, subscribe, version);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
