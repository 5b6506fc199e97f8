package io.gannet.plugin.kafka;

import io.gannet.broker.testing.ChildJvm;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A real broker process with the bridge installed as a user installs it: a jar and its bundled jars in
 * {@code plugins/kafka/}, loaded in its own class loader, beside persistence on the broker's class path. It keeps
 * its home across {@link #kill} and {@link #start}, so that a test can crash it and start it again.
 */
final class ForkedBroker implements AutoCloseable {
    private final Path home;
    private final Path config;
    private final int port;
    private Process process;
    private int starts;

    ForkedBroker(Path home, String bridgeYaml) throws IOException {
        this.home = home;
        this.port = ChildJvm.freePort();
        this.config = home.resolve("gannet.yaml");
        installPlugin(home.resolve("plugins/kafka"));
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
                persistence:
                  enabled: true
                plugins:
                  kafka:
                %s
                """.formatted(port, bridgeYaml.indent(4)), StandardCharsets.UTF_8);
    }

    /** The plugin's classes as a jar with its manifest, and every jar it bundles. */
    private static void installPlugin(Path dir) throws IOException {
        Files.createDirectories(dir);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue(io.gannet.spi.SpiVersion.MANIFEST_ATTRIBUTE,
                io.gannet.spi.SpiVersion.current());
        manifest.getMainAttributes().putValue(io.gannet.spi.SpiVersion.NAME_ATTRIBUTE, "kafka");
        Path classes = Path.of("target/classes");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(dir.resolve("gannet-plugin-kafka.jar")),
                manifest); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, (OutputStream) jar);
                jar.closeEntry();
            }
        }
        String bundled = Files.readString(Path.of("target/plugin-runtime-classpath.txt")).trim();
        for (String jar : bundled.split(java.io.File.pathSeparator)) {
            if (!jar.isBlank()) {
                Path p = Path.of(jar);
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
    }

    int port() {
        return port;
    }

    Path log() {
        return home.resolve("broker-" + starts + ".log");
    }

    /**
     * What went wrong, for a failed assertion: the warnings and errors of every start so far, and what the bridge
     * itself said, at most {@code max} lines.
     */
    String diagnostics(int max) {
        StringBuilder out = new StringBuilder();
        int lines = 0;
        for (int i = 1; i <= starts; i++) {
            Path log = home.resolve("broker-" + i + ".log");
            out.append("\n--- ").append(log.getFileName()).append('\n');
            try {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (lines < max && (line.contains(" WARN ") || line.contains(" ERROR ")
                            || line.contains("gannet.plugin.kafka") || line.startsWith("\tat ")
                            || line.contains("Exception"))) {
                        out.append(line, 0, Math.min(line.length(), 400)).append('\n');
                        lines++;
                    }
                }
            } catch (IOException e) {
                out.append(e).append('\n');
            }
        }
        return out.toString();
    }

    ForkedBroker start() throws IOException {
        starts++;
        List<String> command = ChildJvm.java();
        // The broker's own class path, as in the distribution's lib/: without the plugin and the Kafka client.
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean plugin = entry.endsWith("target/classes") || entry.endsWith("target/test-classes")
                    || name.startsWith("kafka-clients") || name.startsWith("zstd-jni") || name.startsWith("lz4-java")
                    || name.startsWith("snappy-java");
            if (!plugin) {
                classPath.add(entry);
            }
        }
        command.addAll(List.of("-Xmx512m", "-Dgannet.home=" + home, "-cp",
                String.join(java.io.File.pathSeparator, classPath), "io.gannet.broker.Main", "--config",
                config.toString()));
        process = ChildJvm.startBroker(command, home, log());
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
        // Kept beside the test reports: the temporary home is deleted.
        for (int i = 1; i <= starts; i++) {
            try {
                Files.copy(home.resolve("broker-" + i + ".log"), Path.of("target", "forked-broker-" + i + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // nothing to keep
            }
        }
    }
}
