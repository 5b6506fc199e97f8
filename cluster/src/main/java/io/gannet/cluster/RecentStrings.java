package io.gannet.cluster;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The strings an inbound link read last, by the hash of their bytes: a link carries the same few hundred topics and
 * publisher ids over and over, and a string found here is compared byte for byte instead of decoded and allocated
 * again. A slot keeps the last string that hashed to it. One per link, used on its event loop only.
 */
final class RecentStrings {
    private static final int SLOTS = 256;

    private final byte[][] bytes = new byte[SLOTS][];
    private final String[] strings = new String[SLOTS];

    /**
     * Reads a string written as a two-byte length and UTF-8 bytes. The sender is another node, which checked the
     * string when its client sent it; a malformed one here becomes replacement characters, never an error.
     *
     * @throws IllegalArgumentException when the length runs past the frame
     */
    String read(ByteBuf in) {
        int length = in.readUnsignedShort();
        if (length > in.readableBytes()) {
            throw new IllegalArgumentException("a string of " + length + " bytes with " + in.readableBytes()
                    + " left");
        }
        int at = in.readerIndex();
        int hash = 1;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + in.getByte(at + i);
        }
        int slot = (hash ^ hash >>> 16) & (SLOTS - 1);
        byte[] known = bytes[slot];
        if (known != null && known.length == length && sameBytes(in, at, known)) {
            in.skipBytes(length);
            return strings[slot];
        }
        byte[] b = new byte[length];
        in.readBytes(b);
        String s = new String(b, StandardCharsets.UTF_8);
        bytes[slot] = b;
        strings[slot] = s;
        return s;
    }

    private static boolean sameBytes(ByteBuf in, int at, byte[] known) {
        for (int i = 0; i < known.length; i++) {
            if (in.getByte(at + i) != known[i]) {
                return false;
            }
        }
        return true;
    }
}
