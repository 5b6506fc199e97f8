package io.gannet.benchmarks.persistence;

import io.gannet.broker.Broker;
import io.gannet.broker.auth.AllowAllAuthenticator;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.store.SessionJournal;
import io.gannet.broker.store.SessionOwner;
import io.gannet.broker.store.StoreProviders;
import io.gannet.broker.store.StoredMessage;
import io.gannet.broker.store.Stores;
import io.gannet.broker.store.SubscriptionRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long a broker takes to start from a large journal, and how many bytes the journal takes per queued message.
 * Fills a journal through the persistence module's own store (as the broker's sessions would) with SESSIONS
 * persistent sessions, each with a subscription, and MESSAGES QoS 1 messages of PAYLOAD bytes spread over them; then
 * starts a whole broker from it, with the persistence store found on the class path as {@code bin/gannet} finds it,
 * and times {@link Broker#start()}: replay, the fresh segment it writes, and every session rebuilt before the
 * listener opens.
 *
 * <pre>java --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *   -Dchronicle.analytics.disable=true -Xmx4g -cp benchmarks/target/benchmarks.jar \
 *   io.gannet.benchmarks.persistence.RecoveryTime [SESSIONS [MESSAGES [PAYLOAD]]]</pre>
 */
public final class RecoveryTime {
    private RecoveryTime() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int payloadBytes = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        Path home = Files.createTempDirectory("gannet-recovery");
        GannetConfig config = ConfigLoader.fromMap(Map.of(
                "listeners", List.of(Map.of("name", "mqtt", "bind", "127.0.0.1", "port", 0, "protocol", "mqtt")),
                "sessions", Map.of("max-queued-messages", 1_000_000, "max-queued-bytes", Integer.MAX_VALUE),
                "sys", Map.of("interval-seconds", 0),
                "persistence", Map.of("enabled", true, "directory", "journal")));
        Clock clock = Clock.systemUTC();

        long t0 = System.nanoTime();
        try (Stores stores = StoreProviders.open(config, home, clock, RecoveryTime.class.getClassLoader())) {
            stores.sessions().recoverSessions();
            List<SessionJournal> journals = new ArrayList<>(sessions);
            long now = clock.millis();
            for (int i = 0; i < sessions; i++) {
                SessionJournal j = stores.sessions().created("rt-" + i, SessionOwner.ANONYMOUS, 86_400, null, 0);
                j.subscribed(new SubscriptionRecord("rt/" + i + "/#", 1, false, false, 0, 0, null));
                j.disconnected(now);
                journals.add(j);
            }
            byte[] payload = new byte[payloadBytes];
            CompletableFuture<?>[] kept = new CompletableFuture<?>[messages];
            for (int m = 0; m < messages; m++) {
                int s = m % sessions;
                Message message = new Message("rt/" + s + "/data", 1, false, payload, MqttProperties.EMPTY, "pub",
                        0);
                kept[m] = journals.get(s).queued(new StoredMessage(m / sessions, message, 1, false, null, null));
            }
            CompletableFuture.allOf(kept).get(10, TimeUnit.MINUTES);
        }
        long filledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long bytes = diskUse(home.resolve("journal"));
        System.out.printf("filled: %,d sessions, %,d messages of %d bytes in %,d ms%n", sessions, messages,
                payloadBytes, filledMillis);
        System.out.printf("disk: %,d bytes, %.1f bytes per queued message%n", bytes, (double) bytes / messages);

        long t1 = System.nanoTime();
        Broker broker = new Broker(config, new AllowAllAuthenticator(), EnhancedAuthenticator.NONE, clock,
                Broker.Ports.fromClassPath(config, home, clock));
        broker.start();
        long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        System.out.printf("broker started from the journal in %,d ms (replay, a fresh segment, every session "
                + "rebuilt; heap used %,d MB)%n", startMillis,
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        broker.close();
        delete(home);
    }

    /** Bytes the directory takes on disk (its files are sparse), as du counts them. */
    private static long diskUse(Path dir) throws IOException, InterruptedException {
        Process du = new ProcessBuilder("du", "-sk", dir.toString()).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        du.waitFor(30, TimeUnit.SECONDS);
        return Long.parseLong(out.split("\\s+")[0]) * 1024;
    }

    private static void delete(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
