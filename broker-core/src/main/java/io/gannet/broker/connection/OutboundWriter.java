package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttEncoder;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.routing.LocalRouter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Everything one connection writes: packets encoded in the client's version and within what its CONNECT asked for,
 * PUBLISHes from the loop's template or with a header of their own, and flushes merged with those of the whole
 * event loop ({@link LoopFlusher}). On the connection's event loop only.
 *
 * <p>From the second small packet of a loop turn on, packets are gathered into one buffer, which goes to the
 * channel when it is full, before any packet that is not gathered, and at the flush. A PUBLISH to a subscriber and
 * the acknowledgement to a publisher then cost a copy of a few dozen bytes, not a buffer and an entry in the
 * channel's outbound buffer each: those two took most of the write path's time in the allocator and the recycler.
 * The first packet of a turn is written on its own, as before: a connection that gets one message a turn (a
 * fan-out's subscribers, a device at its own pace) would pay for a gathering buffer and gain nothing. The channel
 * does not see a gathered buffer until it is handed over, so it may pass its high water mark by up to
 * {@link #BATCH_MAX} bytes.
 */
final class OutboundWriter implements LoopFlusher.Target {
    /** Bounds what waits for the end of the loop turn, so a large burst still leaves in pieces. */
    private static final int MAX_UNFLUSHED_WRITES = 128;
    /** The largest gathered buffer; larger packets are written alone. */
    static final int BATCH_MAX = 8192;
    /** The smallest gathered buffer, for a turn with one ack or one small PUBLISH. */
    private static final int BATCH_MIN = 256;

    private final ChannelHandlerContext ctx;
    private final BrokerMetrics metrics;
    private final LoopFlusher flusher;
    private final PublishTemplate template;
    private MqttVersion version = MqttVersion.V3_1_1;
    /** The 5.0 client's Maximum Packet Size, for what the connection encodes; none until CONNECT says. */
    private long clientMaxPacketSize = Long.MAX_VALUE;
    /** The 5.0 client's Request Problem Information. */
    private boolean problemInformation = true;
    /** Set at CONNECT, for PUBLISH headers in the client's version, size and topic aliases. */
    private PublishHeaderWriter publishHeaders;
    /** Whether this connection waits in its loop's flusher. */
    private boolean flushRequested;
    /** Writes since the last flush: past {@link #MAX_UNFLUSHED_WRITES} the connection flushes at once. */
    private int unflushedWrites;
    /** The packets gathered since the last hand-over to the channel, or null. */
    private ByteBuf batch;
    /** The size of the last gathered buffer handed over: the next one starts that large, as turns tend to repeat. */
    private int lastBatchBytes = BATCH_MIN;

    OutboundWriter(ChannelHandlerContext ctx, BrokerMetrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.flusher = LoopFlusher.of(ctx.executor());
        this.template = PublishTemplate.ofThisLoop();
    }

    /** From CONNECT on, packets go out in the client's version. */
    void version(MqttVersion v) {
        version = v;
    }

    MqttVersion version() {
        return version;
    }

    /** What the client's CONNECT asked of the packets it gets. */
    void limits(ClientLimits limits, PublishHeaderWriter headers) {
        clientMaxPacketSize = limits.maximumPacketSize();
        problemInformation = limits.requestProblemInformation();
        publishHeaders = headers;
    }

    /**
     * Writes a PUBLISH of {@code message}; see {@link io.gannet.broker.session.ClientLink#writePublish}.
     *
     * @return false if it would exceed the client's Maximum Packet Size and was dropped unsent
     */
    boolean writePublish(Message message, int qos, boolean retain, boolean dup, int packetId, int[] subscriptionIds,
                         ByteBuf sharedPayload) {
        byte[] bytes = message.payload();
        boolean small = bytes.length <= LocalRouter.INLINE_PAYLOAD_MAX;
        if (small && !dup && publishHeaders.sameForEverySubscriber(message, subscriptionIds)) {
            int size = template.size(ctx.alloc(), message, version, qos, retain);
            if (!publishHeaders.fits(size)) {
                return false;
            }
            metrics.messageSent(size);
            ByteBuf into = unflushedWrites == 0 ? null : batchWithRoomFor(size);
            if (into != null) {
                template.writeTo(into, ctx.alloc(), message, version, qos, retain, packetId);
            } else {
                ctx.write(template.packet(ctx.alloc(), message, version, qos, retain, packetId), ctx.voidPromise());
            }
            flushSoon(1);
            return true;
        }
        // A small payload is copied behind the header: one buffer and one write beat sharing it, which costs a
        // buffer view, a second write and a scatter list entry per subscriber.
        boolean inline = sharedPayload == null || small;
        ByteBuf header = publishHeaders.header(ctx.alloc(), message, qos, retain, dup, packetId, subscriptionIds,
                inline ? bytes.length : 0);
        if (header == null) {
            return false;
        }
        metrics.messageSent(header.readableBytes() + bytes.length);
        handOverBatch();
        if (inline) {
            header.writeBytes(bytes);
            ctx.write(header, ctx.voidPromise());
            flushSoon(1);
        } else {
            ctx.write(header, ctx.voidPromise());
            ctx.write(sharedPayload.retainedDuplicate(), ctx.voidPromise());
            flushSoon(2);
        }
        return true;
    }

    /** Writes any other packet; from another thread, it is handed to the loop, where every write happens. */
    void write(MqttPacket packet) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> write(packet));
            return;
        }
        MqttPacket fitted = MqttEncoder.forClient(packet, version, clientMaxPacketSize, problemInformation);
        ByteBuf into = unflushedWrites == 0 ? null : batchWithRoomFor(PacketWriter.encodedSize(fitted, version));
        if (into != null) {
            PacketWriter.encodeInto(into, fitted, version);
        } else {
            ctx.write(PacketWriter.encode(ctx.alloc(), fitted, version), ctx.voidPromise());
        }
        flushSoon(1);
    }

    /** The last packet: a refusing CONNACK or a DISCONNECT, in {@code inVersion}, then the connection closes. */
    void writeAndClose(MqttPacket packet, MqttVersion inVersion) {
        handOverBatch();
        LingeringClose.after(ctx.writeAndFlush(encode(packet, inVersion)));
    }

    /** Encodes in {@code inVersion} and within what the client's CONNECT asked for (see {@link MqttEncoder}). */
    ByteBuf encode(MqttPacket packet, MqttVersion inVersion) {
        return MqttEncoder.encode(ctx.alloc(), packet, inVersion, clientMaxPacketSize, problemInformation);
    }

    /**
     * Flushes at the end of this loop turn, together with the other connections of the loop (see
     * {@link LoopFlusher}), or now when much is waiting already.
     */
    private void flushSoon(int writes) {
        unflushedWrites += writes;
        if (unflushedWrites >= MAX_UNFLUSHED_WRITES) {
            flushWritten(); // still in the flusher's list, if it was: that entry then finds nothing to flush
        } else if (!flushRequested) {
            flushRequested = true;
            flusher.request(this);
        }
    }

    /** Called by the loop's flusher: flushes what was written; the next write asks the flusher again. */
    @Override
    public void flushNow() {
        flushRequested = false;
        flushWritten();
    }

    /** Flushes now what waits for the end of the turn. */
    void flushWritten() {
        if (unflushedWrites > 0) {
            handOverBatch();
            unflushedWrites = 0;
            ctx.flush();
        }
    }

    /**
     * The gathered buffer with room for {@code size} more bytes: the current one, or a new one once the current
     * is handed over; null if the packet is too large to gather.
     */
    private ByteBuf batchWithRoomFor(int size) {
        if (size > BATCH_MAX) {
            handOverBatch();
            return null;
        }
        if (batch != null && batch.maxWritableBytes() >= size) {
            return batch;
        }
        handOverBatch();
        batch = ctx.alloc().buffer(Math.max(size, lastBatchBytes), BATCH_MAX);
        return batch;
    }

    /** Writes the gathered packets to the channel, ahead of whatever is written next. */
    void handOverBatch() {
        ByteBuf b = batch;
        if (b != null) {
            batch = null;
            lastBatchBytes = Math.max(BATCH_MIN, b.readableBytes());
            ctx.write(b, ctx.voidPromise());
        }
    }

    /** A read completed: the loop's flusher may flush a wide read's writes now (ADR 11). */
    void readComplete() {
        flusher.readComplete();
    }
}
