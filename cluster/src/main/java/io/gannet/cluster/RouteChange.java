package io.gannet.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A change to the routing table, as a node proposes it and the metadata state machine applies it. Several travel in
 * one Raft entry ({@link #encode}), in the order the node made them.
 */
sealed interface RouteChange {
    /** The format of an entry; a node refuses to apply an entry of another. */
    byte FORMAT = 1;

    /** The node's first local subscriber to {@code filter} arrived. */
    record Add(String node, String filter) implements RouteChange {
    }

    /** The node's last local subscriber to {@code filter} left. */
    record Remove(String node, String filter) implements RouteChange {
    }

    /** The node's whole set of filters is {@code filters}: what it says when it starts. */
    record Replace(String node, List<String> filters) implements RouteChange {
        public Replace {
            filters = List.copyOf(filters);
        }
    }

    /** Applies this change to {@code table}. */
    default void applyTo(RoutingTable table) {
        if (this instanceof Add a) {
            table.add(a.node(), a.filter());
        } else if (this instanceof Remove r) {
            table.remove(r.node(), r.filter());
        } else if (this instanceof Replace r) {
            table.replace(r.node(), r.filters());
        }
    }

    static byte[] encode(List<RouteChange> changes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeInt(changes.size());
            for (RouteChange c : changes) {
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
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException for an entry this version cannot read */
    static List<RouteChange> decode(byte[] entry) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(entry))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("a routing entry of format " + format + "; this node reads "
                        + FORMAT);
            }
            int n = in.readInt();
            List<RouteChange> changes = new ArrayList<>(Math.min(n, 1024));
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
                    default -> throw new IllegalArgumentException("unknown routing change " + kind);
                }
            }
            return changes;
        } catch (IOException e) {
            throw new IllegalArgumentException("a truncated routing entry", e);
        }
    }
}
