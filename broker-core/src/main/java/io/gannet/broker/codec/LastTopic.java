package io.gannet.broker.codec;

import io.netty.buffer.ByteBuf;

/**
 * The topic name of a connection's last PUBLISH, so that the next PUBLISH to the same topic, the common case (a
 * device publishes to its own few topics), reuses the string: compared byte for byte, not decoded, validated or
 * allocated again. One per connection, used on its event loop only.
 */
public final class LastTopic {
    private byte[] bytes;
    private String topic;

    /**
     * The remembered topic if the UTF-8 string at the reader index has the same bytes (and then skips it), else
     * {@code null} with the reader index unchanged.
     */
    String match(ByteBuf in) {
        if (topic == null) {
            return null;
        }
        int at = in.readerIndex();
        int n = bytes.length;
        if (in.readableBytes() < 2 + n || in.getUnsignedShort(at) != n) {
            return null;
        }
        int p = at + 2;
        for (int i = 0; i < n; i++) {
            if (in.getByte(p + i) != bytes[i]) {
                return null;
            }
        }
        in.skipBytes(2 + n);
        return topic;
    }

    /** Remembers {@code validTopic}, whose UTF-8 string (with its length) starts at {@code at} in {@code in}. */
    void remember(ByteBuf in, int at, String validTopic) {
        int n = in.getUnsignedShort(at);
        byte[] b = new byte[n];
        in.getBytes(at + 2, b);
        this.bytes = b;
        this.topic = validTopic;
    }
}
