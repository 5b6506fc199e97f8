package io.gannet.broker.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A child JVM that runs the broker as {@code bin/gannet} does: its command line, its start, a port for it. */
public final class ChildJvm {
    private static final int LOW_PORTS = 20_000;
    private static final int LOW_PORTS_SPAN = 12_000;
    private static final java.util.Random RANDOM = new java.util.Random();
    /** Ports this JVM handed out: a closed one would bind again, but its broker may not have started yet. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ChildJvm() {
    }

    /**
     * This JVM's {@code java}, with the module flags this test JVM was given (the ones Chronicle needs, from
     * surefire's argLine), so that a forked broker runs with the flags a user's start script gives it.
     */
    public static List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("--sun-misc") || arg.startsWith("-Dchronicle")) {
                command.add(arg);
            }
        }
        return command;
    }

    /**
     * Starts {@code command} in {@code dir}, its output in {@code log}, and waits (at most 60 s) until the broker
     * says it started; fails with the log if the process exits first.
     */
    public static Process startBroker(List<String> command, Path dir, Path log) throws IOException {
        return start(command, dir, log, "Gannet started");
    }

    /**
     * Starts {@code command} in {@code dir}, its output in {@code log}, and waits (at most 60 s) until its log has
     * {@code line}; fails with the log if the process exits first.
     */
    public static Process start(List<String> command, Path dir, Path log, String line) throws IOException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited with " + process.exitValue() + ":\n"
                        + Files.readString(log));
            }
            return Files.readString(log).contains(line);
        });
        return process;
    }

    /** A TCP port nothing listens on now. */
    public static int freePort() throws IOException {
        // Below Linux's ephemeral range (32768 and up by default): a port the kernel hands out for 0 may be handed
        // out again as the local port of an outgoing connection before the child binds it, and the nodes of a
        // cluster test connect to each other, and retry, all the time. Random, so that test JVMs rarely meet.
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = LOW_PORTS + RANDOM.nextInt(LOW_PORTS_SPAN);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port)) {
                HANDED_OUT.add(port);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port between " + LOW_PORTS + " and " + (LOW_PORTS + LOW_PORTS_SPAN));
    }
}
