package io.gannet.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.testing.EmbeddedBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The load generator against a real broker: every scenario runs briefly and must deliver every message it
 * counts, at a fixed rate (so the shared build machine is not saturated) and in both protocol versions.
 */
class LoadGeneratorTest {
    private static EmbeddedBroker broker;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        broker = EmbeddedBroker.start(Map.of());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private record Run(int exitCode, String output, String json) {
    }

    private Run run(String... args) throws Exception {
        return runAgainst(broker.port(), args);
    }

    private Run runAgainst(int port, String... args) throws Exception {
        Path json = tmp.resolve("result.json");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 8];
            System.arraycopy(args, 0, all, 0, args.length);
            System.arraycopy(new String[] {"--port", Integer.toString(port), "--warmup", "0",
                    "--duration", "1", "--json", json.toString()}, 0, all, args.length, 8);
            code = new CommandLine(new LoadGenerator()).execute(all);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        return new Run(code, out, Files.exists(json) ? Files.readString(json) : "");
    }

    private static long field(String json, String name) {
        String tail = json.substring(json.indexOf("\"" + name + "\":") + name.length() + 3);
        return (long) Double.parseDouble(tail.substring(0, tail.indexOf(',')));
    }

    @ParameterizedTest(name = "{0}, MQTT {1}, QoS {2}")
    @CsvSource({"pairs, 5, 1, 4", "pairs, 3, 0, 4", "fanin, 5, 1, 5", "fanout, 3, 1, 20", "shared, 5, 1, 4",
        "pairs, 5, 2, 2", "pairs, 3, 2, 2"})
    void everyScenarioDeliversWhatItSends(String scenario, int mqtt, int qos, int clients) throws Exception {
        Run r = run("--scenario", scenario, "--mqtt", Integer.toString(mqtt), "--qos", Integer.toString(qos),
                "-n", Integer.toString(clients), "--rate", "2000", "--threads", "1");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("measure").contains("latency").contains("% lost");
        long sent = field(r.json(), "sent");
        assertThat(sent).as(r.output()).isGreaterThan(100);
        assertThat(field(r.json(), "expected")).isEqualTo(sent * ("fanout".equals(scenario) ? clients : 1));
        assertThat(field(r.json(), "received")).as(r.output()).isEqualTo(field(r.json(), "expected"));
        assertThat(r.json()).contains("\"scenario\":\"" + scenario + "\"").contains("\"p99Ms\":");
    }

    @Test
    void atTheMaximumRateTheEndToEndWindowBoundsWhatIsInFlightAndNothingIsLost() throws Exception {
        Run r = run("--scenario", "fanin", "-n", "4", "--qos", "0", "--window", "50", "--threads", "1");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(field(r.json(), "sent")).as(r.output()).isGreaterThan(1000);
        assertThat(field(r.json(), "received")).as(r.output()).isEqualTo(field(r.json(), "expected"));
    }

    @ParameterizedTest(name = "{0} msg/s")
    @CsvSource({"10", "38", "49"})
    void aRateBelowOneMessagePerTwentyMillisecondsStillSends(int rate) throws Exception {
        // The pacer caps banked credit at 20 ms worth; under 50 msg/s that is less than one message, which must
        // not stop the publisher (it once sent nothing at all at 38 msg/s).
        Run r = run("--scenario", "fanout", "-n", "3", "--qos", "1", "--rate", Integer.toString(rate),
                "--threads", "1");
        assertThat(r.exitCode()).as(r.output()).isZero();
        long sent = field(r.json(), "sent");
        assertThat(sent).as(r.output()).isBetween(rate / 2L, rate * 2L);
        assertThat(field(r.json(), "received")).as(r.output()).isEqualTo(sent * 3);
    }

    @Test
    void theBrokersReceiveMaximumCapsTheInflightWindow() throws Exception {
        // A 5.0 broker disconnects a client that has more unacknowledged QoS 1 messages out than it allows.
        try (EmbeddedBroker strict = EmbeddedBroker.start(Map.of("mqtt.receive-maximum", 3))) {
            Run r = runAgainst(strict.port(), "--scenario", "pairs", "-n", "2", "--qos", "1",
                    "--inflight", "50", "--threads", "1");
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).doesNotContain("closed during the run");
            assertThat(field(r.json(), "received")).as(r.output()).isEqualTo(field(r.json(), "expected"))
                    .isGreaterThan(100);
        }
    }

    @Test
    void connsHoldsIdleConnectionsAndReportsMemoryPerConnection() throws Exception {
        long self = ProcessHandle.current().pid(); // the embedded broker runs in this JVM
        Run r = run("--scenario", "conns", "-n", "50", "--source-addresses", "3", "--broker-pid",
                Long.toString(self));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("50 of 50 connections still open");
        assertThat(r.json()).contains("\"connections\":50,\"open\":50").contains("\"bytesPerConnection\":")
                .contains("\"firstConnections\":5,").contains("\"marginalBytesPerConnection\":");
        assertThat(broker.broker().metrics().connectionsMaximum()).isGreaterThanOrEqualTo(50);
    }

    @Test
    void badOptionsAreRefusedWithTheirName() throws Exception {
        Run r = run("--qos", "3");
        assertThat(r.exitCode()).isNotZero();
        Run s = run("--scenario", "storm");
        assertThat(s.exitCode()).isNotZero();
    }
}
