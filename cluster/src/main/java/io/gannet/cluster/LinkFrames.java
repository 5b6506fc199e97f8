package io.gannet.cluster;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttWire;
import io.gannet.broker.message.Message;
import io.netty.buffer.ByteBuf;

/**
 * The frames of a link between two nodes: a length, a type, and the body. A link starts with {@link #HELLO}, naming
 * the node that opened it; then come {@link #PUBLISH} frames, each one message for the receiving node's own
 * sessions: its plain subscribers (when the frame says so) and the shared groups the sending node placed with it,
 * by name. Messages carry the time they have left, not the moment they expire, so that clocks need not agree, and
 * the metadata log index of the routes that sent them, so that a receiver can refuse what older routes sent it for
 * a session that has moved on (see {@link DepartedFilters}). A
 * {@link #MOVED} frame tells the receiving node that the sending one hosts a session it took over from it, and a
 * {@link #CONNECTED} frame that a client connected to the sending node, so that an older connection of the same client
 * id elsewhere is closed.
 *
 * <p>The other way, the receiving node answers with {@link #DONE}: how many of the link's messages, counted from the
 * first, it has handed to its sessions and its stores keep (a persistent session's partition has committed them),
 * and {@link #FAILED} for a message a store refused. The sending node holds its publishers' acknowledgements until
 * then (see {@link LinkAcks}).
 */
final class LinkFrames {
    /** The frame format; a node refuses a link of another. */
    static final byte FORMAT = 6;
    static final byte HELLO = 0;
    static final byte PUBLISH = 1;
    static final byte DONE = 2;
    static final byte FAILED = 3;
    static final byte MOVED = 4;
    static final byte CONNECTED = 5;
    /** A PUBLISH's target bit: the receiver's plain subscribers get the message. */
    static final int PLAIN = 1;
    /** A PUBLISH's target bit: the sender counts on a persistent session's plain subscriber there to keep it. */
    static final int DURABLE = 2;
    /** The length field before each frame. */
    static final int LENGTH_FIELD = 4;
    /** The size of a {@link #DONE} or {@link #FAILED} frame, its length field included. */
    static final int COUNT_FRAME_BYTES = LENGTH_FIELD + 1 + Long.BYTES;

    private LinkFrames() {
    }

    static void writeHello(ByteBuf out, String nodeId) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(HELLO);
        out.writeByte(FORMAT);
        MqttWire.writeUtf8(out, nodeId);
        out.setInt(start, out.writerIndex() - start - LENGTH_FIELD);
    }

    /**
     * At least the bytes {@link #writePublish} writes for {@code m} with properties {@code props} ({@code null}:
     * none): strings counted at three bytes a char, the most UTF-8 takes for a char of Java's, so that the bound
     * costs no pass over them.
     */
    static int publishSizeBound(Message m, byte[] props, SharedPicks shared, int node) {
        int bound = LENGTH_FIELD + 1 + 2 + 3 * m.topic().length() + 2 + 4 + m.payload().length + 4
                + (props == null ? 0 : props.length) + 2 + 3 * m.publisherId().length() + 8 + 1 + 8 + 2;
        for (int i = 0; i < shared.count(); i++) {
            if (shared.node(i) == node) {
                SharedPlacement g = shared.group(i);
                bound += 4 + 3 * (g.shareName().length() + g.filter().length());
            }
        }
        return bound;
    }

    /** The message's properties as the frame carries them, or {@code null} when it has none (most messages). */
    static byte[] properties(Message m) {
        return m.properties().isEmpty() ? null : m.properties().toWire();
    }

    /**
     * @param plain    whether the receiver delivers the message to its plain subscribers
     * @param durable  whether the sender counts on the receiver to keep it for a persistent session's subscriber
     *                 (and waits for that): a receiver with no such subscriber left answers that it did not keep it
     * @param routedAt the metadata log index of the routes the sender chose the receiver by (see
     *                 {@link DepartedFilters})
     * @param shared   the shared groups placed with some node; those placed with {@code node} go in the frame
     */
    static void writePublish(ByteBuf out, Message m, byte[] props, long nowMillis, boolean plain, boolean durable,
                             long routedAt, SharedPicks shared, int node) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(PUBLISH);
        MqttWire.writeUtf8(out, m.topic());
        out.writeByte(m.qos());
        out.writeBoolean(m.retain());
        out.writeInt(m.payload().length);
        out.writeBytes(m.payload());
        if (props == null) {
            out.writeInt(0);
        } else {
            out.writeInt(props.length);
            out.writeBytes(props);
        }
        MqttWire.writeUtf8(out, m.publisherId());
        out.writeLong(m.expiresAtMillis() == 0 ? 0 : Math.max(1, m.expiresAtMillis() - nowMillis));
        out.writeByte((plain ? PLAIN : 0) | (durable ? DURABLE : 0));
        out.writeLong(routedAt);
        out.writeShort(shared.countFor(node));
        for (int i = 0; i < shared.count(); i++) {
            if (shared.node(i) == node) {
                MqttWire.writeUtf8(out, shared.group(i).shareName());
                MqttWire.writeUtf8(out, shared.group(i).filter());
            }
        }
        out.setInt(start, out.writerIndex() - start - LENGTH_FIELD);
    }

    /**
     * Reads a PUBLISH frame's body, after its type, up to where it says whom the message is for: then
     * {@link #readPlain} and {@link #readGroupCount}. Its topic and publisher id come through {@code strings}: a
     * link's recent ones are not decoded again.
     *
     * @throws IllegalArgumentException or a Netty {@code IndexOutOfBoundsException} for a frame that is not one
     */
    static Message readPublish(ByteBuf in, RecentStrings strings, long nowMillis) {
        String topic = strings.read(in);
        int qos = in.readByte();
        boolean retain = in.readBoolean();
        byte[] payload = new byte[checkedLength(in, in.readInt())];
        in.readBytes(payload);
        int propsLength = checkedLength(in, in.readInt());
        MqttProperties props = MqttProperties.EMPTY;
        if (propsLength > 0) {
            byte[] wire = new byte[propsLength];
            in.readBytes(wire);
            props = MqttProperties.fromWire(wire);
        }
        String publisher = strings.read(in);
        long remaining = in.readLong();
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS " + qos);
        }
        return new Message(topic, qos, retain, payload, props, publisher, remaining <= 0 ? 0 : nowMillis + remaining);
    }

    /** After {@link #readPublish}: who gets the message, {@link #PLAIN} and {@link #DURABLE} bits. */
    static int readTargets(ByteBuf in) {
        return in.readUnsignedByte();
    }

    /** After {@link #readTargets}: the metadata log index of the routes the sender routed the message by. */
    static long readRoutedAt(ByteBuf in) {
        return in.readLong();
    }

    /**
     * After {@link #readRoutedAt}: how many shared groups follow, each a share name and a filter, to be read as the
     * frame's other strings are.
     */
    static int readGroupCount(ByteBuf in) {
        return in.readUnsignedShort();
    }

    /** A {@link #DONE} or {@link #FAILED} frame: a message count, or the number of one message (from 1). */
    static void writeCount(ByteBuf out, byte type, long count) {
        out.writeInt(1 + Long.BYTES);
        out.writeByte(type);
        out.writeLong(count);
    }

    /** What a {@link #MOVED} frame says. */
    record Moved(String clientId, long routesAt) {
    }

    /**
     * A {@link #MOVED} frame: the sending node took over the session of {@code clientId} from the receiving node, and
     * hosts it now, its routes committed at metadata log index {@code routesAt}. The receiving node lets go of the
     * session once its own copy of the log has applied that far: it held its subscriptions until then, or, keeping
     * no copy of the session's partition, it had not heard of the takeover at all.
     */
    static void writeMoved(ByteBuf out, String clientId, long routesAt) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(MOVED);
        MqttWire.writeUtf8(out, clientId);
        out.writeLong(routesAt);
        out.setInt(start, out.writerIndex() - start - LENGTH_FIELD);
    }

    static Moved readMoved(ByteBuf in) {
        return new Moved(MqttWire.readUtf8(in), in.readLong());
    }

    /** What a {@link #CONNECTED} frame says. */
    record Connected(String clientId, long atMillis, boolean newSession) {
    }

    /**
     * A {@link #CONNECTED} frame: a client of id {@code clientId} connected to the sending node at {@code atMillis}
     * (its clock), with a new session ({@code newSession}) or one it resumed.
     */
    static void writeConnected(ByteBuf out, String clientId, long atMillis, boolean newSession) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(CONNECTED);
        out.writeLong(atMillis);
        out.writeBoolean(newSession);
        MqttWire.writeUtf8(out, clientId);
        out.setInt(start, out.writerIndex() - start - LENGTH_FIELD);
    }

    static Connected readConnected(ByteBuf in) {
        long at = in.readLong();
        boolean newSession = in.readBoolean();
        return new Connected(MqttWire.readUtf8(in), at, newSession);
    }

    static String readHello(ByteBuf in) {
        byte format = in.readByte();
        if (format != FORMAT) {
            throw new IllegalArgumentException("a link of format " + format + "; this node speaks " + FORMAT);
        }
        return MqttWire.readUtf8(in);
    }

    private static int checkedLength(ByteBuf in, int length) {
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("a length of " + length + " with " + in.readableBytes() + " left");
        }
        return length;
    }
}
