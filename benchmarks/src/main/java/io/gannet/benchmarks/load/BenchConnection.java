package io.gannet.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One MQTT connection of the load generator: a publisher (sends when its {@link Pacer} says), a subscriber
 * (acknowledges and times what it receives), or an idle connection. Incoming packets are parsed in place, with no
 * objects per packet.
 */
final class BenchConnection extends ByteToMessageDecoder {
    /** What this connection does once connected. */
    record Role(String clientId, byte[] publishTopic, String subscribeFilter) {
    }

    private final Role role;
    private final boolean v5;
    private final int qos;
    private final int payloadSize;
    /** {@code --inflight}, lowered to the broker's Receive Maximum once its CONNACK says. */
    private int inflightWindow;
    private final int keepAliveSeconds;
    private final Stats stats;
    /** Completes when the connection is ready: CONNACK accepted, and SUBACK granted for a subscriber. */
    final CompletableFuture<BenchConnection> ready = new CompletableFuture<>();
    private Channel channel;
    private int inflight;
    private int nextPacketId = 1;
    private boolean pendingFlush;
    /** Messages asked for by {@link #publish} and not yet sent: sent as acknowledgements and writability allow. */
    private int backlog;
    private volatile String closedBecause;
    private long sessionExpirySeconds;

    BenchConnection(Role role, boolean v5, int qos, int payloadSize, int inflightWindow, int keepAliveSeconds,
                    Stats stats) {
        this.role = role;
        this.v5 = v5;
        this.qos = qos;
        this.payloadSize = payloadSize;
        this.inflightWindow = inflightWindow;
        this.keepAliveSeconds = keepAliveSeconds;
        this.stats = stats;
    }

    /** Gives a subscriber a persistent session that outlives its connection by {@code seconds}. */
    void sessionExpiry(long seconds) {
        this.sessionExpirySeconds = role.subscribeFilter() == null ? 0 : seconds;
    }

    Channel channel() {
        return channel;
    }

    boolean isPublisher() {
        return role.publishTopic() != null;
    }

    String closedBecause() {
        return closedBecause;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        ctx.writeAndFlush(ClientCodec.connect(ctx.alloc(), v5, role.clientId(), keepAliveSeconds,
                sessionExpirySeconds));
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (closedBecause == null) {
            closedBecause = "closed by the broker";
        }
        ready.completeExceptionally(new IllegalStateException(role.clientId() + ": " + closedBecause));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closedBecause = cause.toString();
        ctx.close();
    }

    /**
     * Sends up to {@code max} messages while the socket takes them (and, for QoS 1 and 2, the in-flight window has room),
     * then flushes once. Runs on this connection's event loop.
     *
     * @return how many it sent
     */
    int send(int max) {
        if (channel == null || !channel.isActive() || !ready.isDone()) {
            return 0;
        }
        int n = 0;
        while (n < max && channel.isWritable() && (qos == 0 || inflight < inflightWindow)) {
            long now = System.nanoTime();
            int id = 0;
            if (qos > 0) {
                id = nextPacketId;
                nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
                inflight++;
            }
            channel.write(ClientCodec.publish(channel.alloc(), v5, role.publishTopic(), qos, id, payloadSize, now),
                    channel.voidPromise());
            stats.sent(now);
            n++;
        }
        if (n > 0) {
            channel.flush();
        }
        return n;
    }

    /**
     * Sends {@code count} messages now or, as far as the in-flight window and the socket do not allow, as soon as
     * they do (on acknowledgements and writability, not by polling). Runs on this connection's event loop.
     */
    void publish(int count) {
        backlog += count;
        sendBacklog();
    }

    private void sendBacklog() {
        if (backlog > 0) {
            backlog -= send(backlog);
        }
    }

    void ping() {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(ClientCodec.pingReq(channel.alloc()), channel.voidPromise());
        }
    }

    void disconnect() {
        if (channel != null && channel.isActive()) {
            closedBecause = "disconnected by the load generator";
            channel.writeAndFlush(ClientCodec.disconnect(channel.alloc())).addListener(f -> channel.close());
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.readableBytes() >= 2) {
            int start = in.readerIndex();
            int whole = ClientCodec.packetLength(in);
            if (whole < 0 || in.readableBytes() < whole) {
                return; // not all here yet
            }
            int header = in.getUnsignedByte(start);
            int length = ClientCodec.readVarInt(in, start + 1);
            int pos = start + whole - length;
            handle(ctx, header, in, pos, length);
            in.readerIndex(pos + length);
        }
    }

    private void handle(ChannelHandlerContext ctx, int header, ByteBuf in, int body, int length) {
        switch (header >>> 4) {
            case ClientCodec.CONNACK -> {
                int code = in.getUnsignedByte(body + 1);
                if (code != 0) {
                    fail(ctx, "CONNACK refused, code 0x" + Integer.toHexString(code));
                    return;
                }
                if (v5 && length > 2) {
                    inflightWindow = Math.min(inflightWindow, ClientCodec.receiveMaximum(in, body + 2));
                }
                if (role.subscribeFilter() != null) {
                    ctx.writeAndFlush(ClientCodec.subscribe(ctx.alloc(), v5, 1, role.subscribeFilter(), qos));
                } else {
                    ready.complete(this);
                }
            }
            case ClientCodec.SUBACK -> {
                int props = 0;
                if (v5) {
                    int propertiesLength = ClientCodec.readVarInt(in, body + 2);
                    props = ClientCodec.varIntSize(propertiesLength) + propertiesLength;
                }
                int code = in.getUnsignedByte(body + 2 + props);
                if (code >= 0x80) {
                    fail(ctx, "SUBACK refused " + role.subscribeFilter() + ", code 0x" + Integer.toHexString(code));
                } else {
                    ready.complete(this);
                }
            }
            case ClientCodec.PUBLISH -> {
                int q = (header >> 1) & 3;
                int p = body + 2 + in.getUnsignedShort(body);
                int packetId = 0;
                if (q > 0) {
                    packetId = in.getUnsignedShort(p);
                    p += 2;
                }
                if (v5) {
                    int propertiesLength = ClientCodec.readVarInt(in, p);
                    p += ClientCodec.varIntSize(propertiesLength) + propertiesLength;
                }
                if (body + length - p >= Long.BYTES) {
                    stats.received(in.getLong(p), System.nanoTime());
                }
                if (q > 0) {
                    ctx.write(q == 1 ? ClientCodec.pubAck(ctx.alloc(), packetId)
                            : ClientCodec.pubRec(ctx.alloc(), packetId), ctx.voidPromise());
                    pendingFlush = true;
                }
            }
            case ClientCodec.PUBACK, ClientCodec.PUBCOMP -> {
                inflight--;
                stats.acked();
            }
            case ClientCodec.PUBREC -> {
                ctx.write(ClientCodec.pubRel(ctx.alloc(), in.getUnsignedShort(body)), ctx.voidPromise());
                pendingFlush = true;
            }
            case ClientCodec.PUBREL -> {
                ctx.write(ClientCodec.pubComp(ctx.alloc(), in.getUnsignedShort(body)), ctx.voidPromise());
                pendingFlush = true;
            }
            case ClientCodec.DISCONNECT -> {
                closedBecause = "DISCONNECT from the broker"
                        + (length > 0 ? ", reason 0x" + Integer.toHexString(in.getUnsignedByte(body)) : "");
                ctx.close();
            }
            default -> { } // PINGRESP, and anything a load generator does not need
        }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        closedBecause = why;
        ready.completeExceptionally(new IllegalStateException(role.clientId() + ": " + why));
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (pendingFlush) {
            pendingFlush = false;
            ctx.flush();
        }
        sendBacklog(); // acknowledgements may have opened the window
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        sendBacklog(); // the pacer's publishers pick up again on its next tick
        super.channelWritabilityChanged(ctx);
    }
}
