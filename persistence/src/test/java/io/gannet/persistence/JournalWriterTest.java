package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.config.PersistenceConfig;
import io.gannet.broker.config.PersistenceConfig.SyncPolicy;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.SessionSnapshot;
import io.gannet.broker.store.StoredMessage;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The journal's writer under entries from event loops, from a thread that is not a loop, and from sessions that move
 * between loops, while it compacts: every entry is kept once, in the order of its session, whoever wrote it.
 */
class JournalWriterTest {
    private static final int LOOP_SESSIONS = 40;
    private static final int THREAD_SESSIONS = 4;
    /** At least this many messages per session, and on until the journal has compacted while they came in. */
    private static final int MESSAGES = 2_000;
    /** A bound, so that a journal that never compacts fails the test instead of hanging it. */
    private static final int MAX_MESSAGES = 20_000;
    /** A session moves to the other loop after this many messages, as a client that reconnects there. */
    private static final int MOVE_EVERY = 100;
    /** Every tenth message stays queued; the others are removed again, so that dead entries call for compaction. */
    private static final int KEEP_EVERY = 10;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = SyncPolicy.class, names = {"OS", "INTERVAL"})
    void entriesFromLoopsAThreadAndMovingSessionsAreKeptInTheirSessionsOrderWhileTheJournalCompacts(
            SyncPolicy sync) throws Exception {
        Path path = dir.resolve("journal");
        // 64 MiB: compaction once the dead entries pass 8 MiB, several times in this run, while the loops write.
        PersistenceConfig config = new PersistenceConfig(true, path.toString(), sync, 5, 64L << 20);
        JournalDirectory directory = JournalDirectory.open(path, 1 << 20);
        JournalWriter writer = new JournalWriter(directory, JournalRecovery.recover(directory).state(), config,
                Clock.systemUTC());
        writer.start();
        long compactionsAtStart = writer.compactions();
        for (long key = 1; key <= LOOP_SESSIONS + THREAD_SESSIONS; key++) {
            writer.submit(new JournalOp.Created(key, "client-" + key, SessionOwner.ANONYMOUS, 3600, null, 0));
        }

        ConcurrentLinkedQueue<CompletableFuture<Void>> kept = new ConcurrentLinkedQueue<>();
        long[] lastSeq = new long[LOOP_SESSIONS + THREAD_SESSIONS];
        Load load = new Load(writer, compactionsAtStart, kept, lastSeq);
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
        try {
            EventLoop[] loop = {loops.next(), loops.next()};
            CompletableFuture<?>[] finished = new CompletableFuture<?>[LOOP_SESSIONS];
            for (int s = 0; s < LOOP_SESSIONS; s++) {
                long key = s + 1;
                finished[s] = new CompletableFuture<Void>();
                int first = s % 2;
                loop[first].execute(() -> load.writeFrom(key, 1, loop, first, finished[(int) key - 1]));
            }
            Thread other = new Thread(() -> {
                for (long key = LOOP_SESSIONS + 1; key <= LOOP_SESSIONS + THREAD_SESSIONS; key++) {
                    long seq = 0;
                    do {
                        for (long last = seq + MOVE_EVERY; seq < last; ) {
                            load.write(key, ++seq);
                        }
                    } while (!load.enough(seq));
                    lastSeq[(int) key - 1] = seq;
                }
            }, "not-a-loop");
            other.start();
            CompletableFuture.allOf(finished).get(60, TimeUnit.SECONDS);
            other.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(other.isAlive()).isFalse();
            CompletableFuture.allOf(kept.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        assertThat(kept).hasSize((int) LongStream.of(lastSeq).sum());
        assertThat(writer.compactions()).as("compactions while the entries came in").isGreaterThan(compactionsAtStart);
        writer.close();
        directory.close();

        JournalDirectory reopened = JournalDirectory.open(path, 1 << 20);
        try {
            LiveState state = JournalRecovery.recover(reopened).state();
            Map<String, List<Long>> queued = state.sessionSnapshots().stream().collect(Collectors.toMap(
                    SessionSnapshot::clientId, s -> s.queued().stream().map(StoredMessage::seq).toList()));
            assertThat(queued).hasSize(LOOP_SESSIONS + THREAD_SESSIONS);
            queued.forEach((clientId, seqs) -> {
                long last = lastSeq[Integer.parseInt(clientId.substring("client-".length())) - 1];
                assertThat(seqs).as(clientId).isEqualTo(
                        LongStream.rangeClosed(1, last).filter(seq -> seq % KEEP_EVERY == 0).boxed().toList());
            });
        } finally {
            reopened.close();
        }
    }

    /** @param onALoop whether the failing entry comes from an event loop, which writes it, or from another thread */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aJournalThatFailsFailsWhatWaitsAndWhatComesLaterAndStillStops(boolean onALoop) throws Exception {
        Path path = dir.resolve("journal");
        PersistenceConfig config = new PersistenceConfig(true, path.toString(), SyncPolicy.OS, 5, 1L << 30);
        JournalDirectory directory = JournalDirectory.open(path, 1 << 20);
        JournalWriter writer = new JournalWriter(directory, JournalRecovery.recover(directory).state(), config,
                Clock.systemUTC());
        writer.start();
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        try {
            EventLoop loop = loops.next();
            writer.submit(new JournalOp.Created(1, "client-1", SessionOwner.ANONYMOUS, 3600, null, 0));
            CompletableFuture<Void> kept = writer.admit();
            loop.execute(() -> writer.submit(queued(1, new byte[16], kept)));
            kept.get(10, TimeUnit.SECONDS);

            // Larger than the journal's documents may be (a quarter of its 64 MiB blocks): the append fails.
            CompletableFuture<Void> tooLarge = writer.admit();
            JournalOp failing = queued(2, new byte[20 << 20], tooLarge);
            if (onALoop) {
                loop.execute(() -> writer.submit(failing));
            } else {
                writer.submit(failing);
            }
            assertThatThrownBy(() -> tooLarge.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

            assertThat(writer.admit()).as("a new message once the journal failed").isCompletedExceptionally();
            CompletableFuture<Void> later = new CompletableFuture<>();
            loop.execute(() -> writer.submit(queued(3, new byte[16], later)));
            assertThatThrownBy(() -> later.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        writer.close();
        assertThat(writer.stopped()).as("the writer thread stopped").isTrue();
        directory.close();
    }

    private static JournalOp queued(long seq, byte[] payload, CompletableFuture<Void> done) {
        Message m = new Message("devices/1/telemetry", 1, false, payload, MqttProperties.EMPTY, "publisher-1");
        return new JournalOp.Queued(1, new StoredMessage(seq, m, 1, false, null, null), done);
    }

    /** The messages the sessions write, and when they have written enough. */
    private record Load(JournalWriter writer, long compactionsAtStart,
                        ConcurrentLinkedQueue<CompletableFuture<Void>> kept, long[] lastSeq) {

        /** Writes a session's messages from {@code seq} on, moving the session to the other loop now and then. */
        void writeFrom(long key, long seq, EventLoop[] loop, int on, CompletableFuture<?> finished) {
            long last = seq + MOVE_EVERY - 1;
            for (long s = seq; s <= last; s++) {
                write(key, s);
            }
            if (enough(last)) {
                lastSeq[(int) key - 1] = last;
                finished.complete(null);
                return;
            }
            int next = 1 - on;
            loop[next].execute(() -> writeFrom(key, last + 1, loop, next, finished));
        }

        /** Whether a session that has written up to {@code seq} may stop: the journal compacted meanwhile. */
        boolean enough(long seq) {
            return seq >= MESSAGES && writer.compactions() > compactionsAtStart || seq >= MAX_MESSAGES;
        }

        void write(long key, long seq) {
            Message m = new Message("devices/" + key + "/telemetry", 1, false, new byte[200], MqttProperties.EMPTY,
                    "publisher-" + key);
            CompletableFuture<Void> done = writer.admit();
            kept.add(done);
            writer.submit(new JournalOp.Queued(key, new StoredMessage(seq, m, 1, false, null, null), done));
            if (seq % KEEP_EVERY != 0) {
                writer.submit(new JournalOp.Removed(key, seq)); // delivered and acknowledged
            }
        }
    }
}
