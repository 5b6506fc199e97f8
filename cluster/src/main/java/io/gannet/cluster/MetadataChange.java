package io.gannet.cluster;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A change to the cluster's shared state, as a node proposes it and {@link MetadataStateMachine} applies it on every
 * node: the routing table, the retained messages and the members. Several travel in one Raft entry
 * ({@link #encode}), in the order the node made them.
 */
sealed interface MetadataChange {
    /** The format of an entry; a node refuses to apply an entry of another. */
    byte FORMAT = 1;

    /** The node's first local subscriber to {@code filter} arrived. */
    record Add(String node, String filter) implements MetadataChange {
    }

    /** The node's last local subscriber to {@code filter} left. */
    record Remove(String node, String filter) implements MetadataChange {
    }

    /** The node's whole set of filters is {@code filters}: what it says when it starts. */
    record Replace(String node, List<String> filters) implements MetadataChange {
        public Replace {
            filters = List.copyOf(filters);
        }
    }

    /** A client of {@code node} made {@code message} the retained message of its topic. */
    record Retain(String node, Message message) implements MetadataChange {
    }

    /** The retained message of {@code topic} was cleared on {@code node} (an empty payload, or it expired). */
    record Clear(String node, String topic) implements MetadataChange {
    }

    /**
     * The leader of the metadata group found {@code node} silent for longer than it allows ({@code down}), or
     * answering again: a down node's routes are dropped (its clean sessions died with it) and its persistent
     * sessions are adopted by the leaders of their partitions.
     */
    record Liveness(String node, boolean down) implements MetadataChange {
    }

    /**
     * {@code adopter}, which leads session partition {@code partition}, adopted there the sessions {@code deadNode}
     * owned, and announced their filters before this. Once every partition has said so, the down node's
     * {@code $durable/} routes are dropped: until then a QoS 1 or 2 message for one of its sessions fails (and its
     * publisher sends it again), rather than finding no subscriber while nobody hosts the session.
     */
    record Adopted(String adopter, String deadNode, int partition) implements MetadataChange {
    }

    /**
     * {@code node} started (again): proposed by the node itself, first thing. The leader of the metadata group
     * gives it a moment to answer before it counts the node's silence again, since a node that came back quickly is
     * not down for the silence of its earlier run; a node found down that starts again is up.
     */
    record Started(String node) implements MetadataChange {
    }

    /**
     * {@code node} joins the cluster, with the addresses of {@code cluster.nodes}: every node gives it the next place
     * ({@link ClusterMembers}).
     */
    record Join(String node, String host, int port, int raftPort) implements MetadataChange {
    }

    /** {@code node} leaves the cluster: its routes go, and its place is not given again. */
    record Leave(String node) implements MetadataChange {
    }

    /**
     * The group of session partition {@code partition} is held by {@code nodes} now: proposed by its leader once the
     * group's Raft configuration is that, after the members changed ({@link PartitionMover}). A node that held a
     * copy and is not among them deletes it.
     */
    record Placed(int partition, List<String> nodes) implements MetadataChange {
        public Placed {
            nodes = List.copyOf(nodes);
        }
    }

    /** An estimate of the bytes this change takes in an entry, for bounding the entry. */
    default int estimatedBytes() {
        if (this instanceof Retain r) {
            return 64 + r.message().topic().length() * 3 + r.message().payload().length
                    + r.message().properties().encodedLength();
        }
        if (this instanceof Replace r) {
            return 16 + r.filters().stream().mapToInt(f -> 2 + f.length() * 3).sum();
        }
        return 64;
    }

    static byte[] encode(List<MetadataChange> changes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(changes.size());
            for (MetadataChange c : changes) {
                if (c instanceof Add a) {
                    out.writeByte(1);
                    out.writeUTF(a.node());
                    out.writeUTF(a.filter());
                } else if (c instanceof Remove r) {
                    out.writeByte(2);
                    out.writeUTF(r.node());
                    out.writeUTF(r.filter());
                } else if (c instanceof Replace r) {
                    out.writeByte(3);
                    out.writeUTF(r.node());
                    out.writeInt(r.filters().size());
                    for (String f : r.filters()) {
                        out.writeUTF(f);
                    }
                } else if (c instanceof Retain r) {
                    out.writeByte(4);
                    out.writeUTF(r.node());
                    writeMessage(out, r.message());
                } else if (c instanceof Clear cl) {
                    out.writeByte(5);
                    out.writeUTF(cl.node());
                    out.writeUTF(cl.topic());
                } else if (c instanceof Liveness l) {
                    out.writeByte(6);
                    out.writeUTF(l.node());
                    out.writeBoolean(l.down());
                } else if (c instanceof Adopted a) {
                    out.writeByte(7);
                    out.writeUTF(a.adopter());
                    out.writeUTF(a.deadNode());
                    out.writeInt(a.partition());
                } else if (c instanceof Started s) {
                    out.writeByte(8);
                    out.writeUTF(s.node());
                } else if (c instanceof Join j) {
                    out.writeByte(9);
                    out.writeUTF(j.node());
                    out.writeUTF(j.host());
                    out.writeInt(j.port());
                    out.writeInt(j.raftPort());
                } else if (c instanceof Leave l) {
                    out.writeByte(10);
                    out.writeUTF(l.node());
                } else if (c instanceof Placed pl) {
                    out.writeByte(11);
                    out.writeInt(pl.partition());
                    out.writeInt(pl.nodes().size());
                    for (String n : pl.nodes()) {
                        out.writeUTF(n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException for an entry this version cannot read */
    static List<MetadataChange> decode(byte[] entry) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("a cluster entry of format " + format + "; this node reads "
                        + FORMAT);
            }
            int n = in.readInt();
            List<MetadataChange> changes = new ArrayList<>(Math.min(n, 1024));
            for (int i = 0; i < n; i++) {
                byte kind = in.readByte();
                switch (kind) {
                    case 1 -> changes.add(new Add(in.readUTF(), in.readUTF()));
                    case 2 -> changes.add(new Remove(in.readUTF(), in.readUTF()));
                    case 3 -> {
                        String node = in.readUTF();
                        int count = in.readInt();
                        List<String> filters = new ArrayList<>(Math.min(count, 1024));
                        for (int k = 0; k < count; k++) {
                            filters.add(in.readUTF());
                        }
                        changes.add(new Replace(node, filters));
                    }
                    case 4 -> changes.add(new Retain(in.readUTF(), readMessage(in)));
                    case 5 -> changes.add(new Clear(in.readUTF(), in.readUTF()));
                    case 6 -> changes.add(new Liveness(in.readUTF(), in.readBoolean()));
                    case 7 -> changes.add(new Adopted(in.readUTF(), in.readUTF(), in.readInt()));
                    case 8 -> changes.add(new Started(in.readUTF()));
                    case 9 -> changes.add(new Join(in.readUTF(), in.readUTF(), in.readInt(), in.readInt()));
                    case 10 -> changes.add(new Leave(in.readUTF()));
                    case 11 -> {
                        int partition = in.readInt();
                        int count = in.readInt();
                        List<String> nodes = new ArrayList<>(Math.min(count, ClusterMembers.MAX_PLACES));
                        for (int k = 0; k < count; k++) {
                            nodes.add(in.readUTF());
                        }
                        changes.add(new Placed(partition, nodes));
                    }
                    default -> throw new IllegalArgumentException("unknown cluster change " + kind);
                }
            }
            return changes;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("an unreadable cluster entry: " + e, e);
        }
    }

    /**
     * A message in an entry or a snapshot. Its expiry is the moment it expires, by the clock of the node that
     * received it: a retained message is kept long after it was sent, so the nodes' clocks must agree (NTP).
     */
    static void writeMessage(DataOutput out, Message m) throws IOException {
        out.writeUTF(m.topic());
        out.writeByte(m.qos());
        out.writeInt(m.payload().length);
        out.write(m.payload());
        byte[] props = m.properties().isEmpty() ? new byte[0] : m.properties().toWire();
        out.writeInt(props.length);
        out.write(props);
        out.writeUTF(m.publisherId());
        out.writeLong(m.expiresAtMillis());
    }

    static Message readMessage(DataInput in) throws IOException {
        String topic = in.readUTF();
        int qos = in.readByte();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        byte[] props = new byte[in.readInt()];
        in.readFully(props);
        String publisher = in.readUTF();
        long expiresAt = in.readLong();
        if (qos < 0 || qos > 2) {
            throw new IOException("a message of QoS " + qos);
        }
        return new Message(topic, qos, true, payload, props.length == 0 ? MqttProperties.EMPTY
                : MqttProperties.fromWire(props), publisher, expiresAt);
    }
}
