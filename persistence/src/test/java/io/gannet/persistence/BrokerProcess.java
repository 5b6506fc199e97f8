package io.gannet.persistence;

import io.gannet.broker.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real broker process, as {@code bin/gannet} runs it (the test class path, the JVM flags Chronicle needs), on a
 * fixed port and journal directory, so that it can be killed with SIGKILL and started again on the same state.
 */
final class BrokerProcess implements AutoCloseable {
    private final Path home;
    private final Path config;
    private final int port;
    private Process process;
    private int starts;
    private boolean paranoid;
    private final List<String> jvmArgs = new java.util.ArrayList<>();

    BrokerProcess(Path home, String persistenceSettings) throws IOException {
        this(home, persistenceSettings, 0);
    }

    /** @param sysIntervalSeconds how often the broker publishes {@code $SYS}; 0 never */
    BrokerProcess(Path home, String persistenceSettings, int sysIntervalSeconds) throws IOException {
        this.home = home;
        this.port = ChildJvm.freePort();
        this.config = home.resolve("gannet.yaml");
        Files.writeString(config, """
                listeners:
                  - name: mqtt
                    bind: 127.0.0.1
                    port: %d
                    protocol: mqtt
                network:
                  io-threads: 2
                sys:
                  interval-seconds: %d
                sessions:
                  max-queued-messages: 100000
                  max-queued-bytes: 268435456
                persistence:
                  enabled: true
                  directory: data/persistence
                %s
                """.formatted(port, sysIntervalSeconds, persistenceSettings.indent(2)), StandardCharsets.UTF_8);
    }

    int port() {
        return port;
    }

    Path home() {
        return home;
    }

    Path log() {
        return home.resolve("broker-" + starts + ".log");
    }

    /** Starts the broker and waits until it serves. */
    BrokerProcess start() throws IOException {
        starts++;
        List<String> command = ChildJvm.java();
        if (paranoid) {
            command.add("-Dio.netty.leakDetection.level=paranoid");
        }
        command.addAll(jvmArgs);
        command.addAll(List.of("-Xmx512m", "-Dgannet.home=" + home, "-cp", System.getProperty("java.class.path"),
                "io.gannet.broker.Main", "--config", config.toString()));
        process = ChildJvm.startBroker(command, home, log());
        return this;
    }

    /** Starts the broker with Netty's leak detector tracking every buffer; it logs "LEAK:" for each leak. */
    BrokerProcess paranoidLeakDetection() {
        paranoid = true;
        return this;
    }

    /** Adds JVM options for the next starts (before the broker's own, so that a later -Xmx still wins). */
    BrokerProcess jvmArgs(String... args) {
        jvmArgs.addAll(List.of(args));
        return this;
    }

    /** The broker's process id, for reading its resources under /proc. */
    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, and waits for a clean exit. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the broker did not stop within 30 s");
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
