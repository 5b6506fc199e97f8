package io.gannet.broker;

import io.gannet.broker.auth.AllowAllAuthenticator;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts Gannet in the foreground: {@code gannet [--config <file>]}. Exits 0 after a clean stop on SIGTERM or
 * Ctrl-C, 1 on a bad configuration, 2 on bad arguments.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 == args.length) {
                        usage("--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--help", "-h" -> {
                    System.out.println("usage: gannet [--config <file>]");
                    System.exit(0);
                }
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        GannetConfig config;
        try {
            if (configFile == null) {
                config = GannetConfig.defaults();
                log.info("No --config given; using the built-in defaults");
            } else {
                if (!Files.isRegularFile(configFile)) {
                    throw new ConfigException("the configuration file " + configFile + " does not exist");
                }
                config = ConfigLoader.load(configFile);
                log.info("Configuration read from {}", configFile.toAbsolutePath());
            }
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(1);
            return;
        }
        Clock clock = Clock.systemUTC();
        Path home = Path.of(System.getProperty("gannet.home", ".")).toAbsolutePath().normalize();
        Broker broker;
        try {
            // The store the configuration enables among the modules on the class path (persistence, cluster).
            broker = new Broker(config, new AllowAllAuthenticator(), EnhancedAuthenticator.NONE, clock,
                    Broker.Ports.fromClassPath(config, home, clock));
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        AtomicBoolean starting = new AtomicBoolean(true);
        // SIGTERM and Ctrl-C request a clean stop, after which the process exits 0 (not the JVM's 143/130). While the
        // broker still starts (a cluster node that waits to be added, or for its partitions), the stop cannot wait
        // for the start: the process exits, and the shutdown hook closes what has started.
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(signal), s -> {
                    stopRequested.countDown();
                    if (starting.get()) {
                        log.info("Stopping while starting");
                        System.exit(0);
                    }
                });
            } catch (IllegalArgumentException unsupported) {
                log.debug("Signal {} cannot be handled on this platform", signal);
            }
        }
        // A cluster that removes this node stops it as SIGTERM does.
        broker.onStopRequested(stopRequested::countDown);
        // Any other exit (System.exit from elsewhere, an unhandled signal) still closes the broker.
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "gannet-shutdown"));
        try {
            broker.start();
            starting.set(false);
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            log.error("Gannet could not start: {}", e.toString());
            System.exit(1);
        }
        try {
            stopRequested.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Shutting down");
        broker.close();
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("gannet: " + problem);
        System.err.println("usage: gannet [--config <file>]");
        System.exit(2);
    }
}
