package io.gannet.cluster;

import io.gannet.persistence.SessionTable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a session partition's Raft entries and queries. An entry: a format byte, the proposing node's id,
 * the client ids whose sessions that node claims from now on, then journal records (the session events, in the
 * order they happened). A query: a kind byte and the node whose sessions it asks for.
 */
final class PartitionEntry {
    /** The entry format this version writes and reads. */
    static final byte FORMAT = 1;
    /** The query for the sessions a node owns. */
    static final byte OWNED_BY = 1;

    private PartitionEntry() {
    }

    /** The header of an entry; the records follow it. */
    static byte[] header(String node, List<String> claims) {
        int size = 1 + 2 + utf8Length(node) + 4;
        for (String c : claims) {
            size += 2 + utf8Length(c);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(FORMAT);
        putString(b, node);
        b.putInt(claims.size());
        for (String c : claims) {
            putString(b, c);
        }
        return b.array();
    }

    /**
     * Applies an entry: its claims to {@code owners}, its records to {@code table}.
     *
     * @throws IllegalArgumentException when the entry is of another format or damaged
     */
    static void apply(ByteBuffer entry, Map<String, String> owners, SessionTable table) {
        try {
            byte format = entry.get();
            if (format != FORMAT) {
                throw new IllegalArgumentException("entry format " + format + "; this version reads " + FORMAT);
            }
            String node = getString(entry);
            int claims = entry.getInt();
            if (claims < 0 || claims > entry.remaining() / 2) {
                throw new IllegalArgumentException("a count of " + claims + " claims beyond the entry");
            }
            for (int i = 0; i < claims; i++) {
                owners.put(getString(entry), node);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("an entry header cut short", e);
        }
        if (entry.hasRemaining()) {
            byte[] records = new byte[entry.remaining()];
            entry.get(records);
            table.apply(records, 0, records.length);
        }
    }

    static byte[] ownedBy(String node) {
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + utf8Length(node));
        b.put(OWNED_BY);
        putString(b, node);
        return b.array();
    }

    /** The node an {@link #ownedBy} query names. */
    static String queriedNode(ByteBuffer query) {
        try {
            byte kind = query.get();
            if (kind != OWNED_BY) {
                throw new IllegalArgumentException("unknown query kind " + kind);
            }
            return getString(query);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("a query cut short", e);
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) bytes.length);
        b.put(bytes);
    }

    private static String getString(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        if (n > b.remaining()) {
            throw new IllegalArgumentException("a string of " + n + " bytes beyond the entry");
        }
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
