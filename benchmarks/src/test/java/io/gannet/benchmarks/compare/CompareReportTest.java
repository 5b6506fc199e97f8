package io.gannet.benchmarks.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of compare.sh from runs as gannet-bench writes them: tables with ratios and flags, and charts. */
class CompareReportTest {
    @TempDir
    Path raw;
    @TempDir
    Path out;

    private void run(String broker, String scenario, int clients, int qos, double rate, double received,
                     double cpuMicros, double p99, boolean saturated) throws Exception {
        run(broker, scenario, clients, qos, rate, received, cpuMicros, p99, saturated, "");
    }

    private void run(String broker, String scenario, int clients, int qos, double rate, double received,
                     double cpuMicros, double p99, boolean saturated, String suffix) throws Exception {
        String json = String.format(Locale.ROOT, "{\"label\":\"%s\",\"scenario\":\"%s\",\"mqtt\":5,\"qos\":%d,"
                        + "\"payload\":16,\"clients\":%d,\"targetRate\":%.1f,\"seconds\":10,\"sent\":1,\"received\":1,"
                        + "\"expected\":1,\"sentPerSecond\":%.1f,\"receivedPerSecond\":%.1f,\"lossPercent\":0.0,"
                        + "\"p50Ms\":0.2,\"p99Ms\":%.3f,\"p999Ms\":3.0,\"maxMs\":9.0,\"brokerCpuSeconds\":9.9,"
                        + "\"brokerCpuMicrosPerMessage\":%.3f,\"generatorCpuSeconds\":4.0,"
                        + "\"generatorCpuMicrosPerMessage\":1.0,\"generatorSaturated\":%b,\"connectionsLost\":0}%n",
                broker, scenario, qos, clients, rate, received, received, p99, cpuMicros, saturated);
        Files.writeString(raw.resolve(broker + "-" + scenario + "-q" + qos + (rate > 0 ? "-fixed" : "-max")
                + suffix + ".json"), json);
    }

    @Test
    void writesTablesWithRatiosAndFlagsAndTheCharts() throws Exception {
        run("mosquitto", "pairs", 10, 0, 0, 100_000, 10, 2.0, true);
        run("gannet", "pairs", 10, 0, 0, 600_000, 1.8, 9.0, false);
        run("mosquitto", "pairs", 10, 0, 50_000, 50_000, 11.5, 2.0, false);
        run("gannet", "pairs", 10, 0, 50_000, 50_000, 5.25, 1.5, false);
        Files.writeString(raw.resolve("gannet-conns.json"), "{\"label\":\"gannet\",\"scenario\":\"conns\","
                + "\"connections\":15000,\"open\":15000,\"rssBeforeKib\":100000,\"rssAfterKib\":150000,"
                + "\"bytesPerConnection\":3413,\"firstConnections\":1500,\"rssAfterFirstKib\":110000,"
                + "\"marginalBytesPerConnection\":3034}\n");
        Files.writeString(raw.resolve("environment.properties"), "cpu=Test CPU\ncores=2\nwarmup=10\nduration=10\n");

        CompareReport.main(new String[] {raw.toString(), out.toString()});

        String md = Files.readString(out.resolve("README.md"));
        assertThat(md).contains("| cpu | Test CPU |")
                .contains("| pairs (10 pairs), QoS 0 | 100,000 ¹ | 600,000 | 6.00× |")
                .contains("| pairs (10 pairs), QoS 0 | 50,000 | 11.50 | 5.25 | 0.20 / 2.00 / 3.00 | 0.20 / 1.50 / 3.00 |")
                .contains("| Gannet | 15,000 | 15,000 | 100,000 → 150,000 KiB | 3,413 bytes | 3,034 bytes |")
                .doesNotContain("HiveMQ CE |"); // a broker that did not run has no column
        for (String chart : new String[] {"throughput-qos0.png", "cpu-per-message.png", "p99-latency.png",
            "memory-per-connection.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(chart).toFile());
            assertThat(image).as(chart).isNotNull();
            assertThat(image.getWidth()).isEqualTo(1000);
        }
        assertThat(out.resolve("throughput-qos1.png")).doesNotExist(); // no QoS 1 runs, no QoS 1 chart
        assertThat(md).doesNotContain("every run at the fixed rate"); // nothing was repeated
    }

    @Test
    void aRepeatedCaseShowsTheRunWithTheMedianP99AndListsEveryRun() throws Exception {
        run("mosquitto", "fanin", 100, 1, 40_000, 40_000, 22.0, 8.4, false, "");
        run("mosquitto", "fanin", 100, 1, 40_000, 40_000, 23.0, 51.0, false, "-2");
        run("mosquitto", "fanin", 100, 1, 40_000, 40_000, 24.0, 21.0, false, "-3");
        run("gannet", "fanin", 100, 1, 40_000, 40_000, 20.0, 33.5, false, "");
        run("gannet", "fanin", 100, 1, 40_000, 40_000, 21.0, 6.8, false, "-2");
        run("gannet", "fanin", 100, 1, 40_000, 40_000, 19.0, 7.3, false, "-3");
        Files.writeString(raw.resolve("environment.properties"), "warmup=10\nduration=10\nrepeat=3\n");

        CompareReport.main(new String[] {raw.toString(), out.toString()});

        String md = Files.readString(out.resolve("README.md"));
        assertThat(md).contains("each fixed-rate case 3 times in a row, the run with the median p99 shown")
                // the median runs, each with its own CPU figure: Mosquitto's 21.0 ms run, Gannet's 7.3 ms run
                .contains("| fanin (100 publishers to 1), QoS 1 | 40,000 | 24.00 | 19.00 | 0.20 / 21.00 / 3.00 "
                        + "| 0.20 / 7.30 / 3.00 |")
                .contains("| fanin (100 publishers to 1), QoS 1 | 8.40, 21.00, 51.00 | 6.80, 7.30, 33.50 |");
    }
}
