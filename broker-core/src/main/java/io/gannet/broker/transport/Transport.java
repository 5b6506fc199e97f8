package io.gannet.broker.transport;

import io.gannet.broker.config.ConfigException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket implementation: native epoll on Linux when it loads, Java NIO otherwise. The client channel class is
 * for the links a cluster node opens to the other nodes on the same event loops.
 */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                        Class<? extends ServerChannel> serverChannelClass,
                        Class<? extends SocketChannel> socketChannelClass) {

    /** Chooses the transport for the {@code network.transport} setting. */
    public static Transport select(String setting) {
        return switch (setting) {
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new ConfigException("network.transport: 'epoll' is not available on this machine ("
                            + Epoll.unavailabilityCause() + "); allowed: auto, epoll, nio");
                }
                yield epoll();
            }
            case "nio" -> nio();
            default -> Epoll.isAvailable() ? epoll() : nio();
        };
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class);
    }

    public EventLoopGroup newGroup(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), ioHandlerFactory);
    }
}
