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

    BrokerProcess(Path home, String persistenceSettings) throws IOException {
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
                  interval-seconds: 0
                sessions:
                  max-queued-messages: 100000
                  max-queued-bytes: 268435456
                persistence:
                  enabled: true
                  directory: data/persistence
                %s
                """.formatted(port, persistenceSettings.indent(2)), StandardCharsets.UTF_8);
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
        command.addAll(List.of("-Xmx512m", "-Dgannet.home=" + home, "-cp", System.getProperty("java.class.path"),
                "io.gannet.broker.Main", "--config", config.toString()));
        process = ChildJvm.startBroker(command, home, log());
        return this;
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
