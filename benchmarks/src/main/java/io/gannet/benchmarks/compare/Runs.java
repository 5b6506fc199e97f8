package io.gannet.benchmarks.compare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/** The runs of one comparison, read from the folder compare.sh wrote them to. */
record Runs(List<Run> runs, List<Conns> conns, Properties environment) {
    /** The brokers in the order the report shows them: the two references first. */
    static final List<String> BROKERS = List.of("mosquitto", "hivemq", "gannet");

    /** One throughput run, as {@code gannet-bench --json} wrote it (fields it has beyond these are ignored). */
    record Run(String label, String scenario, int qos, int clients, double targetRate, double sentPerSecond,
               double receivedPerSecond, double lossPercent, double p50Ms, double p99Ms, double p999Ms,
               double brokerCpuSeconds, double brokerCpuMicrosPerMessage, double generatorCpuSeconds,
               double generatorCpuMicrosPerMessage, boolean generatorSaturated, long connectionsLost) {
        boolean fixedRate() {
            return targetRate > 0;
        }

        Case asCase() {
            return new Case(scenario, clients, qos);
        }
    }

    /**
     * One {@code conns} run: idle connections held, and the broker's memory growth over all of them and over those
     * after the first {@code firstConnections} (the cost of one more, without what the process pays once).
     */
    record Conns(String label, int connections, int open, long rssBeforeKib, long rssAfterKib,
                 Double bytesPerConnection, int firstConnections, long rssAfterFirstKib,
                 Double marginalBytesPerConnection) {
    }

    /** A row of the report: a scenario with its size, at one QoS. */
    record Case(String scenario, int clients, int qos) {
        String title() {
            String size = switch (scenario) {
                case "pairs" -> clients + " pairs";
                case "fanin" -> clients + " publishers to 1";
                case "fanout" -> "1 to " + clients + " subscribers";
                default -> clients + " clients";
            };
            return scenario + " (" + size + "), QoS " + qos;
        }

        /** A short name for a chart's axis, {@code fanout 1000}, with the QoS when asked. */
        String label(boolean withQos) {
            return scenario + " " + clients + (withQos ? ", QoS " + qos : "");
        }
    }

    static Runs read(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        List<Run> runs = new ArrayList<>();
        List<Conns> conns = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                if (f.getFileName().toString().endsWith("-conns.json")) {
                    conns.add(json.readValue(f.toFile(), Conns.class));
                } else {
                    runs.add(json.readValue(f.toFile(), Run.class));
                }
            }
        }
        Properties environment = new Properties();
        Path env = dir.resolve("environment.properties");
        if (Files.exists(env)) {
            try (Reader r = Files.newBufferedReader(env)) {
                environment.load(r);
            }
        }
        return new Runs(runs, conns, environment);
    }

    /** The brokers that have runs, in report order. */
    List<String> brokers() {
        return BROKERS.stream()
                .filter(b -> runs.stream().anyMatch(r -> r.label().equals(b))
                        || conns.stream().anyMatch(c -> c.label().equals(b)))
                .toList();
    }

    /** The cases measured, by scenario as compare.sh runs them, then QoS. */
    List<Case> cases() {
        List<String> order = List.of("pairs", "fanin", "fanout", "shared");
        return runs.stream().map(Run::asCase).distinct()
                .sorted(Comparator.comparingInt((Case c) -> order.indexOf(c.scenario())).thenComparingInt(Case::qos))
                .toList();
    }

    /**
     * The run of a broker in a case; where compare.sh repeated it ({@code --repeat}), the run with the median p99
     * (the lower of the two middle ones for an even count), so that one lucky or unlucky run does not decide the
     * report, and every figure shown for it comes from one and the same run.
     */
    Optional<Run> find(String broker, Case c, boolean fixedRate) {
        List<Run> all = all(broker, c, fixedRate);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get((all.size() - 1) / 2));
    }

    /** Every run of a broker in a case, by p99 from the lowest. */
    List<Run> all(String broker, Case c, boolean fixedRate) {
        return runs.stream()
                .filter(r -> r.label().equals(broker) && r.asCase().equals(c) && r.fixedRate() == fixedRate)
                .sorted(Comparator.comparingDouble(Run::p99Ms))
                .toList();
    }

    /** Whether any fixed-rate case of any broker was run more than once ({@code compare.sh --repeat}). */
    boolean repeated() {
        return brokers().stream().anyMatch(b -> cases().stream().anyMatch(c -> all(b, c, true).size() > 1));
    }

    Optional<Conns> conns(String broker) {
        return conns.stream().filter(c -> c.label().equals(broker)).findFirst();
    }

    static String displayName(String broker) {
        return switch (broker) {
            case "mosquitto" -> "Mosquitto";
            case "hivemq" -> "HiveMQ CE";
            case "gannet" -> "Gannet";
            default -> broker;
        };
    }
}
