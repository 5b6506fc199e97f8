package io.gannet.benchmarks;

import com.sun.management.ThreadMXBean;
import io.gannet.broker.codec.LastTopic;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.codec.PacketReader;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.topic.TopicTrie;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.management.ManagementFactory;

/**
 * Bytes allocated per operation on a Netty event-loop thread ({@link FastThreadLocalThread}), which is where the
 * broker runs its codec. JMH's own threads are plain threads, for which Netty 4.2 neither caches pooled buffers
 * nor recycles buffer objects, so {@code -prof gc} over-reports the encoder's allocation; this probe shows what
 * an event loop pays. Run: {@code java -cp benchmarks/target/benchmarks.jar io.gannet.benchmarks.AllocationProbe}.
 */
public final class AllocationProbe {
    private static final int WARMUP = 200_000;
    private static final int MEASURED = 1_000_000;

    private AllocationProbe() {
    }

    private static long bytesPerOp(Runnable op) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < WARMUP; i++) {
            op.run();
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            op.run();
        }
        return (mx.getCurrentThreadAllocatedBytes() - before) / MEASURED;
    }

    public static void main(String[] args) throws InterruptedException {
        Thread t = new FastThreadLocalThread(() -> {
            ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
            for (MqttVersion v : new MqttVersion[] {MqttVersion.V3_1_1, MqttVersion.V5}) {
                Publish p = new Publish("sensors/building-7/floor-3/temperature", 1, false, false, 4711,
                        MqttProperties.EMPTY, new byte[64]);
                ByteBuf wire = PacketWriter.encode(alloc, p, v);
                System.out.printf("%-6s encode 64 B QoS 1 PUBLISH:          %4d B/op%n", v,
                        bytesPerOp(() -> PacketWriter.encode(alloc, p, v).release()));
                System.out.printf("%-6s encode shared-payload header:       %4d B/op%n", v,
                        bytesPerOp(() -> PacketWriter.encodePublishHeader(alloc, v, p.topic(), 1, false, false, 4711,
                                MqttProperties.EMPTY, 64).release()));
                System.out.printf("%-6s decode 64 B QoS 1 PUBLISH:          %4d B/op%n", v, bytesPerOp(() -> {
                    ByteBuf in = wire.duplicate();
                    int first = in.readUnsignedByte();
                    int remaining = MqttWire.readVarInt(in);
                    PacketReader.read(PacketType.PUBLISH, first & 0x0F, in.readSlice(remaining), v);
                }));
                LastTopic last = new LastTopic(); // as a connection's decoder keeps it
                System.out.printf("%-6s decode, same topic as the last one: %4d B/op%n", v, bytesPerOp(() -> {
                    ByteBuf in = wire.duplicate();
                    int first = in.readUnsignedByte();
                    int remaining = MqttWire.readVarInt(in);
                    PacketReader.read(PacketType.PUBLISH, first & 0x0F, in.readSlice(remaining), v, last);
                }));
                wire.release();
            }
            TopicTrie<Object> trie = new TopicTrie<>(o -> o);
            for (int i = 0; i < 100_000; i++) {
                trie.add("site/" + (i % 100) + "/device/" + i + "/" + (i % 3 == 0 ? "+" : "temp"), new Object());
            }
            int[] n = new int[1];
            java.util.function.Consumer<Object> counter = o -> n[0]++; // one instance, as the router reuses one
            System.out.printf("TopicTrie.match, 100,000 filters:           %4d B/op%n",
                    bytesPerOp(() -> trie.match("site/7/device/1207/temp", counter)));
        }, "probe");
        t.start();
        t.join();
    }
}
