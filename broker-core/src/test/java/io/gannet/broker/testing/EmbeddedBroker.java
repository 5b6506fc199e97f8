package io.gannet.broker.testing;

import io.gannet.broker.Broker;
import io.gannet.broker.auth.AllowAllAuthenticator;
import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.config.ListenerConfig;
import java.util.List;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real broker on a free loopback port, for tests. Two I/O threads, so that publishers and subscribers land on
 * different event loops and the hand-off between loops is exercised.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Broker broker;

    private EmbeddedBroker(Broker broker) {
        this.broker = broker;
    }

    public static EmbeddedBroker start() {
        return start(Map.of());
    }

    /** Starts with these settings, in dotted-key form as in {@code gannet.yaml}: {@code "mqtt.receive-maximum", 3}. */
    public static EmbeddedBroker start(Map<String, Object> settings) {
        return start(settings, new AllowAllAuthenticator());
    }

    public static EmbeddedBroker start(Map<String, Object> settings, Authenticator authenticator) {
        return start(settings, authenticator, java.time.Clock.systemUTC());
    }

    public static EmbeddedBroker start(Map<String, Object> settings, java.time.Clock clock) {
        return start(settings, new AllowAllAuthenticator(), clock);
    }

    public static EmbeddedBroker start(Map<String, Object> settings,
                                       io.gannet.broker.auth.EnhancedAuthenticator enhanced) {
        return start(settings, new AllowAllAuthenticator(), enhanced, java.time.Clock.systemUTC());
    }

    public static EmbeddedBroker start(Map<String, Object> settings, Authenticator authenticator,
                                       java.time.Clock clock) {
        return start(settings, authenticator, io.gannet.broker.auth.EnhancedAuthenticator.NONE, clock);
    }

    /** Starts with these settings around these ports (a test's store, say). */
    public static EmbeddedBroker start(Map<String, Object> settings, Broker.Ports ports) {
        GannetConfig config = config(settings);
        return start(new Broker(config, new AllowAllAuthenticator(), io.gannet.broker.auth.EnhancedAuthenticator.NONE,
                java.time.Clock.systemUTC(), ports));
    }

    /** Starts with these settings and these plugins embedded (named by their class's simple name). */
    /**
     * A broker with the stores of the modules on the test class path (the persistence module's, where the
     * configuration enables it), as {@code bin/gannet} assembles it; relative paths resolve against {@code home}.
     */
    public static EmbeddedBroker startFromClassPath(Map<String, Object> settings, java.nio.file.Path home) {
        return startFromClassPath(settings, home, java.time.Clock.systemUTC());
    }

    /** The same, on {@code clock}: a test moves it to let expiries and will delays pass across a restart. */
    public static EmbeddedBroker startFromClassPath(Map<String, Object> settings, java.nio.file.Path home,
                                                    java.time.Clock clock) {
        GannetConfig config = config(settings);
        return start(new Broker(config, new AllowAllAuthenticator(), io.gannet.broker.auth.EnhancedAuthenticator.NONE,
                clock, Broker.Ports.fromClassPath(config, home, clock)));
    }

    public static EmbeddedBroker start(Map<String, Object> settings, io.gannet.spi.Plugin... plugins) {
        return start(settings, new AllowAllAuthenticator(), io.gannet.broker.auth.EnhancedAuthenticator.NONE,
                java.time.Clock.systemUTC(), plugins);
    }

    public static EmbeddedBroker start(Map<String, Object> settings, Authenticator authenticator,
                                       io.gannet.broker.auth.EnhancedAuthenticator enhanced,
                                       java.time.Clock clock, io.gannet.spi.Plugin... plugins) {
        GannetConfig config = config(settings);
        Broker broker = new Broker(config, authenticator, enhanced, clock);
        for (io.gannet.spi.Plugin p : plugins) {
            broker.embed(p);
        }
        return start(broker);
    }

    /** The settings in dotted-key form, on two I/O threads and one listener on a free loopback port. */
    private static GannetConfig config(Map<String, Object> settings) {
        Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
        sections.computeIfAbsent("network", k -> new LinkedHashMap<>()).put("io-threads", 2);
        // $SYS values are retained messages; tests that want them turn them on, the others count retained exactly.
        sections.computeIfAbsent("sys", k -> new LinkedHashMap<>()).put("interval-seconds", 0);
        settings.forEach((key, value) -> sections.computeIfAbsent(key.substring(0, key.indexOf('.')),
                k -> new LinkedHashMap<>()).put(key.substring(key.indexOf('.') + 1), value));
        return ConfigLoader.fromMap(sections)
                .withListeners(List.of(new ListenerConfig("test", "127.0.0.1", 0, "mqtt")));
    }

    private static EmbeddedBroker start(Broker broker) {
        try {
            broker.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new EmbeddedBroker(broker);
    }

    public int port() {
        return broker.address("test").getPort();
    }

    public Broker broker() {
        return broker;
    }

    @Override
    public void close() {
        broker.close();
    }
}
