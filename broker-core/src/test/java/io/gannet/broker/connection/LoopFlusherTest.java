package io.gannet.broker.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The flusher on a real event loop: what a turn writes is flushed once per connection, at the end of the turn, or
 * as soon as a read leaves many connections waiting.
 */
class LoopFlusherTest {
    private final EventLoop loop = new DefaultEventLoop();
    /** Every flush, in order, by connection number. */
    private final List<Integer> flushed = new ArrayList<>();

    /** A connection that records its flushes, and can be made to write again when flushed. */
    private final class Connection implements LoopFlusher.Target {
        final int id;
        Runnable onFlush = () -> { };

        Connection(int id) {
            this.id = id;
        }

        @Override
        public void flushNow() {
            flushed.add(id);
            onFlush.run();
        }
    }

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aFewWaitingConnectionsAreFlushedOnceEachAtTheEndOfTheTurn() throws Exception {
        int few = LoopFlusher.FLUSH_AFTER_READ_AT - 1;
        List<Integer> duringTheTurn = onLoop(() -> {
            LoopFlusher flusher = LoopFlusher.of(loop);
            for (int i = 0; i < few; i++) {
                flusher.request(new Connection(i));
            }
            flusher.readComplete();
            return List.copyOf(flushed);
        });
        assertThat(duringTheTurn).isEmpty();
        assertThat(onLoop(() -> List.copyOf(flushed))).hasSize(few).doesNotHaveDuplicates();
    }

    @Test
    void aReadThatLeavesManyConnectionsWaitingFlushesThemWhenItCompletes() throws Exception {
        int many = LoopFlusher.FLUSH_AFTER_READ_AT;
        List<Integer> afterTheRead = onLoop(() -> {
            LoopFlusher flusher = LoopFlusher.of(loop);
            for (int i = 0; i < many; i++) {
                flusher.request(new Connection(i));
            }
            flusher.readComplete();
            List<Integer> now = List.copyOf(flushed);
            // Written to after the early flush: the task that is still scheduled flushes it.
            flusher.request(new Connection(many));
            flusher.readComplete();
            return now;
        });
        List<Integer> inOrder = new ArrayList<>();
        for (int i = 0; i < many; i++) {
            inOrder.add(i);
        }
        assertThat(afterTheRead).isEqualTo(inOrder);
        inOrder.add(many);
        assertThat(onLoop(() -> List.copyOf(flushed))).isEqualTo(inOrder);
    }

    @Test
    void aFlushThatLeadsToMoreWritesFlushesThoseInTheSamePass() throws Exception {
        onLoop(() -> {
            LoopFlusher flusher = LoopFlusher.of(loop);
            Connection drained = new Connection(1);
            Connection first = new Connection(0);
            // Like a flush that makes a channel writable again, so that its session drains into another one.
            first.onFlush = () -> flusher.request(drained);
            flusher.request(first);
            return null;
        });
        // Tasks run in order: a second flush task, scheduled by the flush, would run after this look.
        assertThat(onLoop(() -> List.copyOf(flushed))).containsExactly(0, 1);
    }

    /** Runs {@code body} as one task of the loop, as the broker's code runs, and waits for it. */
    private <T> T onLoop(Callable<T> body) throws Exception {
        return loop.submit(body).get(10, TimeUnit.SECONDS);
    }
}
