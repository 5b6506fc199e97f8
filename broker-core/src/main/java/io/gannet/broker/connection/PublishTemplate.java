package io.gannet.broker.connection;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.codec.PacketWriter;
import io.gannet.broker.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The last small PUBLISH encoded on this event loop, whole, kept for the next subscriber of the same message: a
 * fan-out encodes each message once per loop, not once per subscriber. QoS 0 subscribers share the bytes (each
 * write takes its own view); QoS 1 and 2 subscribers get a copy with their own packet id patched in.
 *
 * <p>Only for deliveries whose PUBLISH is the same for every subscriber with the same protocol, QoS and RETAIN
 * flag: no properties added per delivery (see {@link PublishHeaderWriter#sameForEverySubscriber}), not a resend.
 * The template holds one buffer per loop: the next message is encoded into it when no QoS 0 delivery still shares
 * it and it is large enough, else into a new one. It is released when replaced or when the loop's thread ends.
 * Touched only on its loop's thread.
 */
final class PublishTemplate {
    private static final FastThreadLocal<PublishTemplate> LOOPS = new FastThreadLocal<>() {
        @Override
        protected PublishTemplate initialValue() {
            return new PublishTemplate();
        }

        @Override
        protected void onRemoval(PublishTemplate template) {
            template.clear();
        }
    };

    private Message message;
    private boolean v5;
    private int qos;
    private boolean retain;
    private ByteBuf packet;
    private int packetIdOffset;

    private PublishTemplate() {
    }

    /** The template of the calling event loop's thread. */
    static PublishTemplate ofThisLoop() {
        return LOOPS.get();
    }

    /**
     * The whole PUBLISH of {@code m} for one subscriber, a buffer the caller writes (and so releases).
     *
     * @param packetId the subscriber's packet id, for QoS 1 and 2
     */
    ByteBuf packet(ByteBufAllocator alloc, Message m, MqttVersion version, int qos, boolean retain, int packetId) {
        size(alloc, m, version, qos, retain);
        if (qos == 0) {
            return packet.retainedDuplicate();
        }
        ByteBuf copy = alloc.buffer(packet.readableBytes()).writeBytes(packet, packet.readerIndex(),
                packet.readableBytes());
        copy.setShort(copy.readerIndex() + packetIdOffset, packetId);
        return copy;
    }

    /**
     * Copies the whole PUBLISH of {@code m} for one subscriber at the end of {@code out}, the same bytes
     * {@link #packet} returns: for a connection that gathers its packets into one buffer. The caller has made room
     * for {@link #size} bytes.
     */
    void writeTo(ByteBuf out, ByteBufAllocator alloc, Message m, MqttVersion version, int qos, boolean retain,
                 int packetId) {
        int size = size(alloc, m, version, qos, retain);
        int start = out.writerIndex();
        out.writeBytes(packet, packet.readerIndex(), size);
        if (qos > 0) {
            out.setShort(start + packetIdOffset, packetId);
        }
    }

    /** The size of the PUBLISH of {@code m}, encoding it into the template first if it is not the template's. */
    int size(ByteBufAllocator alloc, Message m, MqttVersion version, int qos, boolean retain) {
        if (m != message || version.isV5() != v5 || qos != this.qos || retain != this.retain) {
            encode(alloc, m, version, qos, retain);
        }
        return packet.readableBytes();
    }

    private void encode(ByteBufAllocator alloc, Message m, MqttVersion version, int qos, boolean retain) {
        message = null; // until the new packet is whole
        byte[] payload = m.payload();
        MqttProperties props = m.properties();
        int topicBytes = ByteBufUtil.utf8Bytes(m.topic());
        ByteBuf p = bufferFor(alloc, PacketWriter.publishSize(version, topicBytes, qos, props, payload.length));
        PacketWriter.writePublishHeader(p, version, m.topic(), topicBytes, qos, false, retain, 0, props,
                payload.length);
        int headerEnd = p.writerIndex();
        p.writeBytes(payload);
        // The packet id comes last in the variable header before the 5.0 properties.
        int propertiesSize = version.isV5() ? MqttWire.varIntSize(props.encodedLength()) + props.encodedLength() : 0;
        this.packetIdOffset = headerEnd - p.readerIndex() - propertiesSize - 2;
        this.message = m;
        this.v5 = version.isV5();
        this.qos = qos;
        this.retain = retain;
    }

    /**
     * The template's buffer, emptied, when no QoS 0 delivery still shares it and it is large enough; else a new one.
     * A new buffer for each message cost a pool allocation and a free, about 60 ns, in a profile of QoS 1 pairs,
     * where each message has one subscriber and the template is used once.
     */
    private ByteBuf bufferFor(ByteBufAllocator alloc, int size) {
        if (packet != null && packet.refCnt() == 1 && packet.capacity() >= size) {
            return packet.clear();
        }
        clear();
        packet = alloc.buffer(size);
        return packet;
    }

    private void clear() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
        message = null;
    }
}
