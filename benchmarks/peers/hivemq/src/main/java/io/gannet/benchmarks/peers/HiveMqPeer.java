package io.gannet.benchmarks.peers;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts HiveMQ CE for compare.sh with the settings every broker in the comparison gets: a plain listener on
 * 127.0.0.1, anonymous clients, no persistence (in-memory), queues large enough not to drop, a Receive Maximum of
 * 1,024 (Gannet's default; HiveMQ's own is 10), no usage statistics. persistence.sh passes "file" (HiveMQ's own
 * default) to compare the brokers with persistence on.
 * Runs until the process is told to stop (SIGTERM), then stops HiveMQ.
 *
 * <p>Usage: {@code HiveMqPeer PORT WORK_DIR [in-memory|file]}. WORK_DIR receives conf/, data/ and extensions/;
 * compare.sh deletes it afterwards, since HiveMQ's data files grow large.
 */
public final class HiveMqPeer {
    private HiveMqPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: HiveMqPeer PORT WORK_DIR [in-memory|file]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path work = Path.of(args[1]);
        Path conf = Files.createDirectories(work.resolve("conf"));
        Path data = Files.createDirectories(work.resolve("data"));
        Path extensions = Files.createDirectories(work.resolve("extensions"));
        String persistence = args.length > 2 ? args[2] : "in-memory"; // file: HiveMQ's own default
        writeConfig(conf, port, persistence);

        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .build();
        hivemq.start().get(60, TimeUnit.SECONDS);
        System.out.println("HiveMQ CE listening on 127.0.0.1:" + port);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                hivemq.stop().get(30, TimeUnit.SECONDS);
                hivemq.close();
            } catch (Exception e) {
                System.err.println("HiveMQ did not stop cleanly: " + e);
            } finally {
                stopped.countDown();
            }
        }, "hivemq-peer-stop"));
        stopped.await();
    }

    private static void writeConfig(Path conf, int port, String persistence) throws IOException {
        Files.writeString(conf.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                    </tcp-listener>
                  </listeners>
                  <mqtt>
                    <queued-messages>
                      <max-queue-size>1000000</max-queue-size>
                    </queued-messages>
                    <receive-maximum>
                      <server-receive-maximum>1024</server-receive-maximum>
                    </receive-maximum>
                  </mqtt>
                  <persistence>
                    <mode>%s</mode>
                  </persistence>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, persistence));
    }
}
