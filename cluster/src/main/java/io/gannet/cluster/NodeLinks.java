package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The links from this node to the others: on every event loop of the broker, one {@link PeerLink} to each other
 * node. A message routed on an event loop leaves on that loop's links; one routed on any other thread (a will, a
 * plugin's publish) is handed to an event loop first.
 */
final class NodeLinks implements AutoCloseable {
    private final List<ClusterConfig.Node> nodes;
    private final int selfIndex;
    private final String selfId;
    private final Clock clock;
    private final LinkCounters counters;
    private final ClusterTls tls;
    private final FastThreadLocal<PeerLink[]> byLoop = new FastThreadLocal<>();
    /** Nodes that joined after the founding ones, by place: linked to at start if they joined before it. */
    private final Map<Integer, ClusterConfig.Node> joined = new ConcurrentHashMap<>();
    private EventLoopGroup workers;
    private Bootstrap template;

    NodeLinks(ClusterConfig config, ClusterTls tls, Clock clock, LinkCounters counters) {
        this.tls = tls;
        this.nodes = config.nodes();
        this.selfId = config.nodeId();
        this.selfIndex = config.nodes().indexOf(config.self());
        this.clock = clock;
        this.counters = counters;
    }

    /** Opens the links of every loop; returns once every loop has started connecting, not once connected. */
    void start(EventLoopGroup workers, Transport transport) {
        this.template = new Bootstrap()
                .group(workers)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        List<Future<?>> started = new ArrayList<>();
        // With the joined nodes held still: a node joins either before (linked here) or after this submits each
        // loop's links (its own task then comes after them on the loop).
        synchronized (joined) {
            this.workers = workers;
            startLoops(workers, started);
        }
        for (Future<?> f : started) {
            f.syncUninterruptibly();
        }
    }

    private void startLoops(EventLoopGroup workers, List<Future<?>> started) {
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            int places = nodes.size();
            for (int place : joined.keySet()) {
                places = Math.max(places, place + 1);
            }
            PeerLink[] links = new PeerLink[places];
            for (int i = 0; i < nodes.size(); i++) {
                if (i != selfIndex) {
                    links[i] = new PeerLink(loop, nodes.get(i), i, selfId, template, tls, clock, counters);
                }
            }
            joined.forEach((place, node) -> links[place] = new PeerLink(loop, node, place, selfId, template, tls,
                    clock, counters));
            started.add(loop.submit(() -> {
                byLoop.set(links);
                for (PeerLink l : links) {
                    if (l != null) {
                        l.connect();
                    }
                }
            }));
        }
    }

    /**
     * Sends {@code m} to the nodes whose bits are set in {@code plain}, for their plain subscribers, and to the nodes
     * {@code shared} placed a group with, for that group; one frame per node. What a link cannot take is dropped and
     * counted there.
     *
     * @param durable of those, the nodes with a persistent session's subscriber: they answer once they keep it
     * @param routedAt the metadata log index of the routes that chose the nodes
     * @return for a QoS 1 or 2 message sent on an event loop, what its publisher's acknowledgement waits for: every
     *         {@code durable} node has it kept; {@code null} when nothing waits (QoS 0, no durable node, or a message
     *         routed off the loops, as a will, which has no publisher to answer)
     */
    CompletableFuture<Void> send(long plain, long durable, Message m, SharedPicks shared, long routedAt) {
        PeerLink[] links = byLoop.getIfExists();
        if (links == null) {
            // Not on an event loop (a will, a plugin's publish): the picks are this thread's, so copy what the
            // loop needs.
            if (workers != null && !workers.isShuttingDown()) {
                SharedPicks copy = shared.copy();
                workers.next().execute(() -> send(plain, durable, m, copy, routedAt));
            }
            return null;
        }
        byte[] props = LinkFrames.properties(m);
        CompletableFuture<Void> first = null;
        List<CompletableFuture<Void>> more = null;
        for (long bits = plain | shared.otherNodes(); bits != 0; bits &= bits - 1) {
            int i = Long.numberOfTrailingZeros(bits);
            if (i < links.length && links[i] != null) {
                CompletableFuture<Void> answer = links[i].send(m, props, (plain & 1L << i) != 0, shared,
                        m.qos() > 0 && (durable & 1L << i) != 0, routedAt);
                if (answer == null || answer == first) {
                    continue;
                }
                if (first == null) {
                    first = answer;
                } else {
                    if (more == null) {
                        more = new ArrayList<>(2);
                    }
                    more.add(answer);
                }
            }
        }
        if (more == null) {
            return first; // one node, the usual case: its turn's completion as it is
        }
        more.add(first);
        return CompletableFuture.allOf(more.toArray(CompletableFuture[]::new));
    }

    /**
     * Tells the node at {@code index} that this node hosts the session of {@code clientId}, which it took over from
     * it, its routes committed at metadata log index {@code routesAt}, on one of the loops' links to it; from any
     * thread.
     */
    void moved(int index, String clientId, long routesAt) {
        if (workers == null) {
            return;
        }
        workers.next().execute(() -> {
            PeerLink[] links = byLoop.getIfExists();
            if (links != null && index < links.length && links[index] != null) {
                links[index].moved(clientId, routesAt);
            }
        });
    }

    /**
     * Tells every other node that a client of id {@code clientId} connected here at {@code atMillis}, on this loop's
     * links (or, off the loops, on one loop's); from any thread.
     */
    void connected(String clientId, long atMillis, boolean newSession) {
        PeerLink[] links = byLoop.getIfExists();
        if (links == null) {
            if (workers != null && !workers.isShuttingDown()) {
                workers.next().execute(() -> connected(clientId, atMillis, newSession));
            }
            return;
        }
        for (PeerLink l : links) {
            if (l != null) {
                l.connected(clientId, atMillis, newSession);
            }
        }
    }

    /**
     * A node joined the cluster at {@code place}: every loop links to it from now on. Each loop's array is replaced,
     * not changed, so that a message routed on the loop meanwhile sees the old one or the new one whole. Before
     * {@link #start}, the link is made at start. From any thread.
     */
    void join(int place, ClusterConfig.Node node) {
        if (node.id().equals(selfId)) {
            return;
        }
        synchronized (joined) {
            joined.put(place, node);
            if (workers != null) {
                linkOnEveryLoop(place, node);
            }
        }
    }

    private void linkOnEveryLoop(int place, ClusterConfig.Node node) {
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            loop.execute(() -> {
                PeerLink[] links = byLoop.getIfExists();
                if (links == null || place < links.length && links[place] != null) {
                    return;
                }
                PeerLink[] grown = Arrays.copyOf(links, Math.max(links.length, place + 1));
                grown[place] = new PeerLink(loop, node, place, selfId, template, tls, clock, counters);
                byLoop.set(grown);
                grown[place].connect();
            });
        }
    }

    /** The node at {@code place} left the cluster: every loop closes its link to it for good. From any thread. */
    void leave(int place) {
        synchronized (joined) {
            joined.remove(place);
            if (workers != null) {
                unlinkOnEveryLoop(place);
            }
        }
    }

    private void unlinkOnEveryLoop(int place) {
        for (EventExecutor e : workers) {
            e.execute(() -> {
                PeerLink[] links = byLoop.getIfExists();
                if (links == null || place >= links.length || links[place] == null) {
                    return;
                }
                PeerLink[] shrunk = links.clone();
                shrunk[place] = null;
                byLoop.set(shrunk);
                links[place].close();
            });
        }
    }

    /**
     * Closes this node's connections to the node at {@code index}, on every loop, and lets them reconnect: what its
     * publishers wait for from a node found down fails at once rather than at its timeout.
     */
    void reset(int index) {
        if (workers == null) {
            return;
        }
        for (EventExecutor e : workers) {
            e.execute(() -> {
                PeerLink[] links = byLoop.getIfExists();
                if (links != null && index < links.length && links[index] != null) {
                    links[index].reset();
                }
            });
        }
    }

    @Override
    public void close() {
        if (workers == null) {
            return;
        }
        List<Future<?>> closing = new ArrayList<>();
        for (EventExecutor e : workers) {
            if (!e.isShuttingDown()) {
                closing.add(e.submit(() -> {
                    PeerLink[] links = byLoop.getIfExists();
                    if (links != null) {
                        for (PeerLink l : links) {
                            if (l != null) {
                                l.close();
                            }
                        }
                    }
                }));
            }
        }
        for (Future<?> f : closing) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
