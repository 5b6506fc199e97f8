package io.gannet.benchmarks.compare;

import io.gannet.benchmarks.compare.Runs.Case;
import io.gannet.benchmarks.compare.Runs.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Writes the report of {@code compare.sh}: {@code README.md} with a table per measure, and its charts, from the
 * runs' JSON. Usage: {@code CompareReport RAW_DIR OUT_DIR}.
 */
public final class CompareReport {
    private final Runs runs;
    private final Path out;
    private final StringBuilder md = new StringBuilder();

    private CompareReport(Runs runs, Path out) {
        this.runs = runs;
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CompareReport RAW_DIR OUT_DIR");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        Path out = Files.createDirectories(Path.of(args[1]));
        new CompareReport(Runs.read(Path.of(args[0])), out).write();
    }

    private void write() throws IOException {
        List<String> brokers = runs.brokers();
        md.append("# Gannet, Mosquitto and HiveMQ CE side by side\n\n")
                .append("Written by `benchmarks/compare.sh` from the runs in `raw/` (one JSON and one log per run). ")
                .append("Every broker ran alone with the same settings (plain listener on 127.0.0.1, anonymous, no ")
                .append("persistence, queues that do not drop), against the same load generator, `gannet-bench`, ")
                .append("16-byte payloads, MQTT 5.0.\n\n");
        environment();
        maxRate(brokers);
        fixedRate(brokers);
        cpuTable(brokers);
        memory(brokers);
        Files.writeString(out.resolve("README.md"), md);
    }

    private void environment() {
        md.append("| | |\n|---|---|\n");
        for (String key : List.of("date", "cpu", "cores", "memory", "os", "jdk", "pinning", "gannet", "mosquitto",
                "hivemq")) {
            String v = runs.environment().getProperty(key);
            if (v != null && !v.isBlank()) {
                md.append("| ").append(key).append(" | ").append(v).append(" |\n");
            }
        }
        String repeat = runs.environment().getProperty("repeat", "1");
        md.append(String.format(Locale.ROOT, "| runs | %s s warm-up, %s s measured, each broker first warmed up on "
                        + "every case%s |%n%n", runs.environment().getProperty("warmup", "?"),
                runs.environment().getProperty("duration", "?"), repeat.equals("1") ? ""
                        : "; each fixed-rate case " + repeat + " times in a row, the run with the median p99 shown"));
    }

    private void maxRate(List<String> brokers) throws IOException {
        md.append("## Delivered messages per second, as fast as each broker goes\n\n")
                .append("Closed loop: each publisher keeps at most 500 messages not yet delivered (and, at QoS 1, ")
                .append("20 not yet acknowledged). ¹ marks a run where the generator used nearly all its core, so ")
                .append("that it, not the broker, may have been the limit.\n\n");
        header("case", brokers, ratios(brokers));
        for (Case c : runs.cases()) {
            md.append("| ").append(c.title());
            for (String b : brokers) {
                md.append(" | ").append(runs.find(b, c, false).map(CompareReport::throughputCell).orElse("-"));
            }
            for (String[] ratio : ratios(brokers)) {
                md.append(" | ").append(ratio(c, ratio[0], ratio[1]));
            }
            md.append(" |\n");
        }
        md.append('\n');
        for (int qos : List.of(0, 1)) {
            String file = "throughput-qos" + qos + ".png";
            chart(file, "Delivered messages/s, QoS " + qos + ", as fast as each broker goes", "messages/s",
                    brokers, c -> c.qos() == qos, false, Run::receivedPerSecond);
            md.append("![QoS ").append(qos).append(" throughput](").append(file).append(")\n");
        }
        md.append('\n');
    }

    private void fixedRate(List<String> brokers) throws IOException {
        md.append("## At a fixed rate: broker CPU per delivered message and latency\n\n")
                .append("Open loop, at half Mosquitto's maximum in the same case, the same rate for every broker: ")
                .append("the CPU time the broker used per delivered message (this figure holds even where the ")
                .append("generator is the limit above) and end-to-end latency percentiles.\n\n");
        md.append("| case | rate (msg/s) |");
        for (String b : brokers) {
            md.append(' ').append(Runs.displayName(b)).append(" µs/msg |");
        }
        for (String b : brokers) {
            md.append(' ').append(Runs.displayName(b)).append(" p50 / p99 / p99.9 ms |");
        }
        md.append('\n').append("|---|---|").append("---|".repeat(brokers.size() * 2)).append('\n');
        for (Case c : runs.cases()) {
            Optional<Run> any = brokers.stream().map(b -> runs.find(b, c, true)).flatMap(Optional::stream).findFirst();
            md.append("| ").append(c.title()).append(" | ")
                    .append(any.map(r -> String.format(Locale.ROOT, "%,.0f", r.targetRate())).orElse("-"));
            for (String b : brokers) {
                md.append(" | ").append(runs.find(b, c, true).map(r -> r.brokerCpuMicrosPerMessage() < 0 ? "-"
                        : String.format(Locale.ROOT, "%.2f", r.brokerCpuMicrosPerMessage()) + lossNote(r))
                        .orElse("-"));
            }
            for (String b : brokers) {
                md.append(" | ").append(runs.find(b, c, true).map(r -> String.format(Locale.ROOT,
                        "%.2f / %.2f / %.2f", r.p50Ms(), r.p99Ms(), r.p999Ms())).orElse("-"));
            }
            md.append(" |\n");
        }
        md.append('\n');
        chart("cpu-per-message.png", "Broker CPU µs per delivered message at a fixed rate (lower is better)",
                "µs per message", brokers, c -> true, true, Run::brokerCpuMicrosPerMessage);
        chart("p99-latency.png", "p99 latency at a fixed rate (lower is better)", "ms", brokers, c -> true, true,
                Run::p99Ms);
        md.append("![CPU per message](cpu-per-message.png)\n![p99 latency](p99-latency.png)\n\n");
        if (runs.repeated()) {
            repeats(brokers);
        }
    }

    /** The p99 of every repeat of the fixed-rate cases, lowest first: how far one run can be from another. */
    private void repeats(List<String> brokers) {
        md.append("### p99 ms of every run at the fixed rate, lowest first\n\n")
                .append("The tables above show the run with the median p99; single runs of the same case differ ")
                .append("this much on this machine.\n\n");
        header("case", brokers, List.of());
        for (Case c : runs.cases()) {
            md.append("| ").append(c.title());
            for (String b : brokers) {
                List<Run> all = runs.all(b, c, true);
                md.append(" | ").append(all.isEmpty() ? "-" : String.join(", ", all.stream()
                        .map(r -> String.format(Locale.ROOT, "%.2f", r.p99Ms())).toList()));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    private void cpuTable(List<String> brokers) {
        md.append("## CPU seconds used in each measured window: broker / generator\n\n")
                .append("Each had a core of its own; a window is the measured seconds above, so a figure close to ")
                .append("that length is a saturated core.\n\n");
        header("case", brokers, List.of());
        for (boolean fixed : List.of(false, true)) {
            for (Case c : runs.cases()) {
                md.append("| ").append(c.title()).append(fixed ? ", fixed rate" : ", max");
                for (String b : brokers) {
                    md.append(" | ").append(runs.find(b, c, fixed).map(r -> String.format(Locale.ROOT,
                            "%.1f / %.1f%s", r.brokerCpuSeconds(), r.generatorCpuSeconds(),
                            r.generatorSaturated() ? " ¹" : "")).orElse("-"));
                }
                md.append(" |\n");
            }
        }
        md.append('\n');
    }

    private void memory(List<String> brokers) throws IOException {
        if (runs.conns().isEmpty()) {
            return;
        }
        md.append("## Memory per idle connection\n\n")
                .append("The growth of the broker's resident set (RSS) while the connections were opened and held, ")
                .append("divided by their number, each broker freshly started; and the same from the first tenth of ")
                .append("the connections on, which leaves out what a process pays once (for the JVMs: code the JIT ")
                .append("compiles, buffer pools, heap pages touched for the first time by short-lived objects).\n\n")
                .append("| broker | connections | still open | RSS before → after | per connection | after the "
                        + "first tenth |\n")
                .append("|---|---|---|---|---|---|\n");
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String b : brokers) {
            runs.conns(b).ifPresent(c -> {
                md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d → %,d KiB | %s | %s |%n",
                        Runs.displayName(b), c.connections(), c.open(), c.rssBeforeKib(), c.rssAfterKib(),
                        bytes(c.bytesPerConnection()), bytes(c.marginalBytesPerConnection())));
                series.put(Runs.displayName(b), List.of(kib(c.bytesPerConnection()),
                        kib(c.marginalBytesPerConnection())));
            });
        }
        ReportCharts.bars(out.resolve("memory-per-connection.png"), "Broker RSS growth per idle connection "
                + "(lower is better)", "KiB per connection", List.of("all connections", "after the first tenth"),
                series);
        md.append("\n![Memory per connection](memory-per-connection.png)\n");
    }

    private static String bytes(Double b) {
        return b == null ? "-" : String.format(Locale.ROOT, "%,.0f bytes", b);
    }

    private static double kib(Double b) {
        return b == null ? Double.NaN : b / 1024;
    }

    private void chart(String file, String title, String yTitle, List<String> brokers,
                       java.util.function.Predicate<Case> which, boolean fixed, ToDoubleFunction<Run> value)
            throws IOException {
        List<Case> cases = runs.cases().stream().filter(which).toList();
        if (cases.isEmpty()) {
            return;
        }
        List<String> categories = cases.stream().map(c -> c.label(fixed)).toList();
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String b : brokers) {
            series.put(Runs.displayName(b), cases.stream()
                    .map(c -> runs.find(b, c, fixed).map(value::applyAsDouble).filter(v -> v >= 0).orElse(Double.NaN))
                    .toList());
        }
        ReportCharts.bars(out.resolve(file), title, yTitle, categories, series);
    }

    private void header(String first, List<String> brokers, List<String[]> ratios) {
        md.append("| ").append(first);
        for (String b : brokers) {
            md.append(" | ").append(Runs.displayName(b));
        }
        for (String[] r : ratios) {
            md.append(" | ").append(Runs.displayName(r[0])).append(" ÷ ").append(Runs.displayName(r[1]));
        }
        md.append(" |\n|---").append("|---".repeat(brokers.size() + ratios.size())).append("|\n");
    }

    /** Gannet against each reference that ran. */
    private static List<String[]> ratios(List<String> brokers) {
        List<String[]> ratios = new ArrayList<>();
        if (brokers.contains("gannet")) {
            for (String peer : List.of("hivemq", "mosquitto")) {
                if (brokers.contains(peer)) {
                    ratios.add(new String[] {"gannet", peer});
                }
            }
        }
        return ratios;
    }

    private String ratio(Case c, String a, String b) {
        Optional<Run> x = runs.find(a, c, false);
        Optional<Run> y = runs.find(b, c, false);
        if (x.isEmpty() || y.isEmpty() || y.get().receivedPerSecond() <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f×", x.get().receivedPerSecond() / y.get().receivedPerSecond());
    }

    private static String throughputCell(Run r) {
        return String.format(Locale.ROOT, "%,.0f", r.receivedPerSecond()) + (r.generatorSaturated() ? " ¹" : "")
                + lossNote(r);
    }

    private static String lossNote(Run r) {
        String s = r.lossPercent() > 0.0005 ? String.format(Locale.ROOT, " (%.2f %% lost)", r.lossPercent()) : "";
        return r.connectionsLost() > 0 ? s + " (" + r.connectionsLost() + " connections closed)" : s;
    }
}
