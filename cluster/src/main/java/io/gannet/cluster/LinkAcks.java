package io.gannet.cluster;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * What one connection of a link waits to hear back: the messages written to it are numbered from 1, and those of
 * one loop turn share one completion, which completes once the peer says it is done with them ({@code DONE} with a
 * count that covers the turn), fails when the peer says one of them was not kept ({@code FAILED}), and fails when
 * the connection closes first. A QoS 1 or 2 publisher's acknowledgement waits on its turn's completion: a message
 * is acknowledged only once the node that delivers it has it, kept where a persistent session needs it kept.
 *
 * <p>One completion per turn, not per message, so that waiting costs the publish path no allocation per message.
 * Touched only on the link's event loop: messages are written there, and the peer's answers read there.
 */
final class LinkAcks {
    /** The peer did not keep a message of the turn: its store refused it. */
    static final IllegalStateException NOT_KEPT = new IllegalStateException("another node of the cluster could "
            + "not keep the message");
    /** The connection closed before the peer answered. */
    static final IllegalStateException LINK_LOST = new IllegalStateException("the link to another node of the "
            + "cluster closed before that node had the message");

    private final ArrayDeque<Turn> turns = new ArrayDeque<>();
    private long written;
    private Turn open;

    /** The messages of one loop turn that wait, up to the {@code last}-th of the connection. */
    private static final class Turn {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long last;
        boolean failed;
    }

    /**
     * Counts a message written to the connection.
     *
     * @param waits whether its publisher waits for the peer (QoS 1 and 2)
     * @return what it waits on, or {@code null}
     */
    CompletableFuture<Void> written(boolean waits) {
        written++;
        if (!waits) {
            return null;
        }
        if (open == null) {
            open = new Turn();
            turns.add(open);
        }
        open.last = written;
        return open.done;
    }

    /** The loop turn ended: its messages went out; the next message starts a new turn. */
    void turnEnded() {
        open = null;
    }

    /** The peer is done with the first {@code count} messages. */
    void done(long count) {
        while (!turns.isEmpty() && turns.peek().last <= count) {
            Turn t = turns.poll();
            if (t == open) {
                open = null;
            }
            if (t.failed) {
                t.done.completeExceptionally(NOT_KEPT);
            } else {
                t.done.complete(null);
            }
        }
    }

    /** The peer did not keep the {@code index}-th message. */
    void failed(long index) {
        for (Turn t : turns) {
            if (index <= t.last) {
                t.failed = true;
                return;
            }
        }
    }

    /** The connection closed: everything still waiting fails, and a new connection counts from 1 again. */
    void closed() {
        Turn t;
        while ((t = turns.poll()) != null) {
            t.done.completeExceptionally(LINK_LOST);
        }
        open = null;
        written = 0;
    }
}
