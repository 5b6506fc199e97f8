package io.gannet.benchmarks.load;

import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of one measured run, printed for people and written as JSON for {@code compare.sh}.
 *
 * @param expected         deliveries the messages sent in the window should have made
 * @param brokerCpuSeconds the broker's CPU time in the window, or -1 without {@code --broker-pid}
 * @param generatorSaturated whether the generator used (nearly) all the CPU it had: then it, not the broker, may
 *                           be the limit
 */
record Result(String label, String scenario, int mqtt, int qos, int payload, int clients, double targetRate,
              int seconds, long sent, long received, long expected, double p50Ms, double p99Ms, double p999Ms,
              double maxMs, double brokerCpuSeconds, double generatorCpuSeconds, boolean generatorSaturated,
              long connectionsLost) {

    static Result of(String label, Scenario s, LoadGenerator g, Stats stats, int deliveriesPerMessage,
                     double brokerCpu, double ownCpu, long lost) {
        Histogram h = stats.total();
        long sent = stats.sentInWindow();
        int cores = Math.min(g.threads, Runtime.getRuntime().availableProcessors());
        return new Result(label, s.name().toLowerCase(Locale.ROOT), g.mqttVersion, g.qos, g.payload, g.clients,
                g.rate, g.durationSeconds, sent, stats.receivedInWindow(), sent * deliveriesPerMessage,
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, brokerCpu, ownCpu,
                ownCpu >= 0.9 * cores * g.durationSeconds, lost);
    }

    double sentPerSecond() {
        return sent / (double) seconds;
    }

    double receivedPerSecond() {
        return received / (double) seconds;
    }

    double lossPercent() {
        return expected == 0 ? 0 : Math.max(0, expected - received) * 100.0 / expected;
    }

    /** Broker CPU microseconds per delivered message (per message sent, where none is delivered), or -1. */
    double brokerCpuMicrosPerMessage() {
        return brokerCpuSeconds < 0 || counted() == 0 ? -1 : brokerCpuSeconds * 1e6 / counted();
    }

    double generatorCpuMicrosPerMessage() {
        return counted() == 0 ? -1 : generatorCpuSeconds * 1e6 / counted();
    }

    /** The messages CPU is counted against: those delivered, or those sent in a scenario without subscribers. */
    private long counted() {
        return expected == 0 ? sent : received;
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "%n%s, %d s measured%n", scenario, seconds);
        out.printf(Locale.ROOT, "  sent      %,12d  (%,.0f msg/s)%n", sent, sentPerSecond());
        if (expected > 0) {
            out.printf(Locale.ROOT, "  received  %,12d  (%,.0f msg/s) of %,d expected: %.3f %% lost%n", received,
                    receivedPerSecond(), expected, lossPercent());
            out.printf(Locale.ROOT, "  latency   p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n", p50Ms,
                    p99Ms, p999Ms, maxMs);
        }
        if (brokerCpuSeconds >= 0) {
            out.printf(Locale.ROOT, "  broker    %.2f CPU s, %.2f µs per %s message%n", brokerCpuSeconds,
                    brokerCpuMicrosPerMessage(), expected == 0 ? "published" : "delivered");
        }
        out.printf(Locale.ROOT, "  generator %.2f CPU s, %.2f µs per %s message%s%n", generatorCpuSeconds,
                generatorCpuMicrosPerMessage(), expected == 0 ? "published" : "delivered",
                generatorSaturated ? "  ** generator saturated: it may be the limit, not the broker **" : "");
        if (connectionsLost > 0) {
            out.printf(Locale.ROOT, "  %d connection(s) closed during the run%n", connectionsLost);
        }
    }

    String json() {
        return String.format(Locale.ROOT, "{\"label\":\"%s\",\"scenario\":\"%s\",\"mqtt\":%d,\"qos\":%d,"
                        + "\"payload\":%d,\"clients\":%d,\"targetRate\":%.1f,\"seconds\":%d,\"sent\":%d,"
                        + "\"received\":%d,\"expected\":%d,\"sentPerSecond\":%.1f,\"receivedPerSecond\":%.1f,"
                        + "\"lossPercent\":%.4f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f,"
                        + "\"brokerCpuSeconds\":%.3f,\"brokerCpuMicrosPerMessage\":%.3f,"
                        + "\"generatorCpuSeconds\":%.3f,\"generatorCpuMicrosPerMessage\":%.3f,"
                        + "\"generatorSaturated\":%b,\"connectionsLost\":%d}%n",
                label, scenario, mqtt, qos, payload, clients, targetRate, seconds, sent, received, expected,
                sentPerSecond(), receivedPerSecond(), lossPercent(), p50Ms, p99Ms, p999Ms, maxMs, brokerCpuSeconds,
                brokerCpuMicrosPerMessage(), generatorCpuSeconds, generatorCpuMicrosPerMessage(), generatorSaturated,
                connectionsLost);
    }
}
