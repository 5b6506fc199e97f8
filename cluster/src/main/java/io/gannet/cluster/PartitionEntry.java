package io.gannet.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a session partition's Raft entries, queries and answers, written and read with Java's data streams.
 *
 * <ul>
 *   <li>An events entry ({@link #EVENTS}): the proposing node's id; the sessions it takes over for clients that
 *       connected to it (each answered with the node that owned it and the records that rebuild it as it stands);
 *       the sessions it claims as it creates them (each with whether its client started clean); then journal
 *       records: the sessions' events in the order they happened. Its answer: the takeovers' answers (each with the
 *       entry's index, from which the new owner holds the session), in order, then
 *       the keys and client ids of the sessions whose events the partition refused, because another node owns them
 *       now.</li>
 *   <li>An adoption entry ({@link #ADOPT}): a node takes every session a node found down owned, to host them until
 *       their clients return, unless that node resumed its sessions after the index the adopter decided at. Its
 *       answer: the entry's index, then the records that rebuild them.</li>
 *   <li>A resumption entry ({@link #RESUME}): a node that restarted takes back the sessions it still owns, and
 *       fences off adoptions decided before it. Its answer: the entry's index, then their records.</li>
 * </ul>
 */
final class PartitionEntry {
    /**
     * An events entry of journal record format 1 (the records of Gannet before the compact format): not read by
     * this version, whose records have another layout.
     */
    static final byte EVENTS_FORMAT_1 = 1;
    static final byte EVENTS = 5;
    static final byte ADOPT = 3;
    static final byte RESUME = 4;

    /** A session a node claims in an events entry; {@code fresh} when its client started clean. */
    record Claim(String clientId, boolean fresh) {
    }

    /** Writes into a data stream. */
    @FunctionalInterface
    interface Content {
        void write(DataOutputStream out) throws IOException;
    }

    private PartitionEntry() {
    }

    /** The header of an events entry; the records follow it. */
    static byte[] eventsHeader(String node, List<String> takeovers, List<Claim> claims) {
        return bytes(out -> {
            out.writeByte(EVENTS);
            out.writeUTF(node);
            out.writeInt(takeovers.size());
            for (String clientId : takeovers) {
                out.writeUTF(clientId);
            }
            out.writeInt(claims.size());
            for (Claim c : claims) {
                out.writeUTF(c.clientId());
                out.writeBoolean(c.fresh());
            }
        });
    }

    /** @param basis how far the adopter's copy of the partition had applied when it decided to adopt */
    static byte[] adopt(String node, String deadNode, long basis) {
        return bytes(out -> {
            out.writeByte(ADOPT);
            out.writeUTF(node);
            out.writeUTF(deadNode);
            out.writeLong(basis);
        });
    }

    static byte[] resume(String node) {
        return bytes(out -> {
            out.writeByte(RESUME);
            out.writeUTF(node);
        });
    }

    /**
     * The answer of one takeover: the node that owned the session (empty for none), the log index of the entry that
     * took it, then its records.
     */
    static byte[] takeoverAnswer(String previousOwner, long index, byte[] records, int length) {
        return bytes(out -> {
            out.writeUTF(previousOwner == null ? "" : previousOwner);
            out.writeLong(index);
            out.write(records, 0, length);
        });
    }

    /** The answer of an adoption or a resumption: the entry's log index, then records. */
    static byte[] indexed(long index, byte[] records) {
        return bytes(out -> {
            out.writeLong(index);
            out.write(records);
        });
    }

    /**
     * The answer of an events entry: each takeover's answer, then the key and client id of each session whose events
     * were refused.
     */
    static byte[] eventsAnswer(List<byte[]> takeovers, Map<Long, String> refused) {
        return bytes(out -> {
            out.writeInt(takeovers.size());
            for (byte[] t : takeovers) {
                out.writeInt(t.length);
                out.write(t);
            }
            for (Map.Entry<Long, String> r : refused.entrySet()) {
                out.writeLong(r.getKey());
                out.writeUTF(r.getValue());
            }
        });
    }

    static byte[] bytes(Content content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            content.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: only a string too long for writeUTF
        }
        return bytes.toByteArray();
    }

    /** A reader of entries; a damaged or cut-short one is an {@link IllegalArgumentException}. */
    static final class Reader {
        private final DataInputStream in;
        private final ByteArrayInputStream bytes;

        Reader(byte[] entry, int offset, int length) {
            this.bytes = new ByteArrayInputStream(entry, offset, length);
            this.in = new DataInputStream(bytes);
        }

        byte kind() {
            try {
                return in.readByte();
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        String string() {
            try {
                return in.readUTF();
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        int count() {
            try {
                int n = in.readInt();
                if (n < 0 || n > bytes.available()) {
                    throw new IllegalArgumentException("a count of " + n + " beyond the entry");
                }
                return n;
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        boolean flag() {
            try {
                return in.readBoolean();
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        long number() {
            try {
                return in.readLong();
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        /** A length-prefixed block of bytes. */
        byte[] block() {
            try {
                int n = in.readInt();
                if (n < 0 || n > bytes.available()) {
                    throw new IllegalArgumentException("a block of " + n + " bytes beyond the entry");
                }
                return in.readNBytes(n);
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        boolean hasMore() {
            return bytes.available() > 0;
        }

        /** What is left: the records. */
        byte[] rest() {
            return bytes.readAllBytes();
        }

        private static IllegalArgumentException damaged(IOException e) {
            return new IllegalArgumentException("a damaged or cut-short entry (" + e + ")", e);
        }
    }
}
