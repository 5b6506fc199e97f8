package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of real broker processes on loopback, each with its own home directory, MQTT port, link port and Raft
 * port, started as {@code bin/gannet} starts one (the test class path, the JVM flags), so that a test can kill one.
 */
final class ClusterProcesses implements AutoCloseable {
    private final Path root;
    private final List<Node> nodes = new ArrayList<>();

    /** One node: its ports and its process. */
    static final class Node {
        final String id;
        final Path home;
        final int mqttPort;
        final int linkPort;
        final int raftPort;
        /** Added to the running cluster rather than one of its founding nodes. */
        final boolean joined;
        private Process process;
        private int starts;

        Node(String id, Path home, int mqttPort, int linkPort, int raftPort, boolean joined) {
            this.id = id;
            this.home = home;
            this.mqttPort = mqttPort;
            this.linkPort = linkPort;
            this.raftPort = raftPort;
            this.joined = joined;
        }

        Path log() {
            return home.resolve("broker-" + starts + ".log");
        }

        /** Starts the node and waits until it serves clients, or, for a joined node's first start, until it waits. */
        void start() throws IOException {
            start(joined && starts == 0 ? "waits to be added to the cluster" : "Gannet started");
        }

        /** Starts the node and waits until its log says {@code ready}. */
        void start(String ready) throws IOException {
            starts++;
            List<String> command = ChildJvm.java();
            command.addAll(List.of("-Dio.netty.leakDetection.level=paranoid", "-Xmx256m", "-Dgannet.home=" + home,
                    "-cp", System.getProperty("java.class.path"), "io.gannet.broker.Main", "--config",
                    home.resolve("gannet.yaml").toString()));
            process = ChildJvm.start(command, home, log(), ready);
        }

        /** SIGTERM, as {@code bin/gannet stop} and an orchestrator's rolling restart stop a node: it shuts down. */
        void stop() throws IOException, InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IOException(id + " did not stop within 60 s of SIGTERM");
            }
        }

        /** SIGKILL: nothing is flushed, no shutdown hook runs. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** SIGSTOP: the process freezes as a node does in a long GC pause or a stalled VM, its sockets open. */
        void pause() throws IOException, InterruptedException {
            signal("STOP");
        }

        /** SIGCONT after {@link #pause}. */
        void resume() throws IOException, InterruptedException {
            signal("CONT");
        }

        private void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }

        /** Waits for the node to exit on its own; its exit status. */
        int awaitExit(java.time.Duration within) throws IOException, InterruptedException {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException(id + " did not exit within " + within);
            }
            return process.exitValue();
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }

        /** The log of every start so far. */
        String allOutput() throws IOException {
            StringBuilder all = new StringBuilder();
            for (int i = 1; i <= starts; i++) {
                all.append(Files.readString(home.resolve("broker-" + i + ".log")));
            }
            return all.toString();
        }
    }

    ClusterProcesses(Path root, int size) throws IOException {
        this(root, size, "", "");
    }

    ClusterProcesses(Path root, int size, String clusterSettings) throws IOException {
        this(root, size, clusterSettings, "");
    }

    /**
     * @param clusterSettings more keys of the {@code cluster} section, the same for every node, each on its own line
     *                        indented by two spaces, as {@code "  tls-trust: tls/ca.pem\n"}
     * @param sections        more sections, the same for every node, as {@code "sessions:\n  max-sessions: 9\n"}
     */
    ClusterProcesses(Path root, int size, String clusterSettings, String sections) throws IOException {
        this.root = root;
        this.clusterSettings = clusterSettings;
        this.sections = sections;
        this.replicationFactor = Math.min(3, size);
        for (int i = 1; i <= size; i++) {
            nodes.add(newNode("n" + i, false));
        }
        for (Node n : nodes) {
            writeConfig(n);
        }
    }

    private final String clusterSettings;
    private final String sections;
    private final int replicationFactor;

    private Node newNode(String id, boolean joined) throws IOException {
        return new Node(id, Files.createDirectories(root.resolve(id)), ChildJvm.freePort(), ChildJvm.freePort(),
                ChildJvm.freePort(), joined);
    }

    /** Writes the node's configuration, with every node known now in {@code cluster.nodes}. */
    private void writeConfig(Node n) throws IOException {
        StringBuilder list = new StringBuilder();
        for (Node each : nodes) {
            list.append("    - {id: ").append(each.id).append(", host: 127.0.0.1, port: ").append(each.linkPort)
                    .append(", raft-port: ").append(each.raftPort).append(each.joined ? ", joined: true" : "")
                    .append("}\n");
        }
        Files.writeString(n.home.resolve("gannet.yaml"), """
                listeners:
                  - name: mqtt
                    bind: 127.0.0.1
                    port: %d
                    protocol: mqtt
                network:
                  io-threads: 2
                sys:
                  interval-seconds: 1
                persistence:
                  enabled: false
                %scluster:
                  enabled: true
                  node-id: %s
                  directory: data/cluster
                  replication-factor: %d
                %s  nodes:
                %s""".formatted(n.mqttPort, sections, n.id, replicationFactor, clusterSettings, list),
                StandardCharsets.UTF_8);
    }

    /** Writes the node's configuration again, with every node known now: as an operator does after an add. */
    void rewriteConfig(Node n) throws IOException {
        writeConfig(n);
    }

    /**
     * A node to add to the running cluster, not started: its configuration lists every node, itself last and
     * marked joined, as the operator writes it before {@code bin/gannet cluster add}.
     */
    Node joiningNode() throws IOException {
        Node n = newNode("n" + (nodes.size() + 1), true);
        nodes.add(n);
        writeConfig(n);
        return n;
    }

    /**
     * Runs {@code bin/gannet cluster ...} as its own process, with the configuration of {@code from}.
     *
     * @return its exit status, then what it printed
     */
    Map.Entry<Integer, String> command(Node from, String... args) throws IOException, InterruptedException {
        List<String> command = ChildJvm.java();
        command.addAll(List.of("-Xmx128m", "-Dgannet.home=" + from.home, "-cp", System.getProperty("java.class.path"),
                "io.gannet.cluster.ClusterCommand", "--config", from.home.resolve("gannet.yaml").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(from.home.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("bin/gannet cluster " + String.join(" ", args) + " did not end within 150 s");
        }
        return Map.entry(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Starts every node, all at once: a node waits for no majority to start. */
    ClusterProcesses start() throws IOException {
        for (Node n : nodes) {
            n.start();
        }
        return this;
    }

    /** Until the $SYS figures of each node in turn meet {@code ready}; a node may have just started. */
    void awaitEach(java.util.function.Predicate<SysWatch> ready, java.time.Duration within) {
        for (Node n : nodes) {
            try (SysWatch sys = SysWatch.once(n.mqttPort)) {
                org.awaitility.Awaitility.await().atMost(within).until(() -> ready.test(sys));
            }
        }
    }

    /** {@link #awaitEach}, for the nodes that run now only. */
    void awaitEachRunning(java.util.function.Predicate<SysWatch> ready, java.time.Duration within) {
        for (Node n : nodes) {
            if (n.isAlive()) {
                try (SysWatch sys = SysWatch.once(n.mqttPort)) {
                    org.awaitility.Awaitility.await().atMost(within).until(() -> ready.test(sys));
                }
            }
        }
    }

    Node node(int i) {
        return nodes.get(i - 1);
    }

    List<Node> nodes() {
        return nodes;
    }

    Path root() {
        return root;
    }

    /** Prints every node's log of every start, for the test report: the nodes' side of a failure. */
    void printLogs() throws IOException {
        for (Node n : nodes) {
            for (int i = 1; i <= n.starts; i++) {
                Path log = n.home.resolve("broker-" + i + ".log");
                System.out.println("===== " + n.id + ", start " + i + " =====");
                Files.readAllLines(log).stream().filter(l -> !l.contains("|-INFO") && !l.contains("|-WARN"))
                        .forEach(System.out::println);
            }
        }
    }

    /** Stops every node, prints their logs for the report, and fails if Netty's leak detector saw a leak. */
    void closeAndCheckLeaks() throws InterruptedException, IOException {
        close();
        printLogs();
        for (Node n : nodes) {
            assertThat(n.allOutput()).as("Netty's leak detector on %s", n.id).doesNotContain("LEAK:");
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Node n : nodes) {
            if (n.isAlive()) {
                n.kill();
            }
        }
    }
}
