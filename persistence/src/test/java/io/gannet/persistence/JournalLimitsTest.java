package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's limits: a full disk refuses new messages and loses none, damage and foreign formats are named. */
class JournalLimitsTest {
    @TempDir
    Path home;

    private EmbeddedBroker start(Map<String, Object> more) {
        Map<String, Object> settings = new HashMap<>(Map.of("persistence.enabled", true,
                "persistence.directory", "data/persistence", "sessions.max-queued-messages", 1_000_000,
                "sessions.max-queued-bytes", Integer.MAX_VALUE));
        settings.putAll(more);
        return EmbeddedBroker.startFromClassPath(settings, home);
    }

    private static Mqtt5BlockingClient client(int port, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }

    @Test
    void aFullJournalRefusesNewMessagesWithQuotaExceededAndKeepsWhatItAcknowledged() throws Exception {
        try (EmbeddedBroker broker = start(Map.of("persistence.max-disk-bytes", 16L << 20))) {
            Mqtt5BlockingClient sub = client(broker.port(), "slow-device");
            sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            sub.subscribeWith().topicFilter("big/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();

            Mqtt5BlockingClient pub = client(broker.port(), "pub");
            pub.connect();
            byte[] payload = new byte[64 * 1024];
            int accepted = 0;
            Mqtt5PubAckReasonCode refusal = null;
            for (int i = 0; i < 1000 && refusal == null; i++) {
                payload[0] = (byte) i;
                try {
                    pub.publishWith().topic("big/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
                    accepted++;
                } catch (Mqtt5PubAckException e) {
                    refusal = e.getMqttMessage().getReasonCode();
                }
            }
            assertThat(refusal).isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
            assertThat(accepted).isGreaterThan(100).isLessThan(300); // about 16 MB of 64 KB messages

            // A 3.1.1 publisher has no reason codes: it is disconnected without an acknowledgement.
            try (RawClient v3 = new RawClient(broker.port())) {
                v3.send(new Connect(MqttVersion.V3_1_1, "v3-pub", true, 60, null, null, null, MqttProperties.EMPTY),
                        MqttVersion.V3_1_1);
                v3.readUntil(PacketType.CONNACK);
                v3.send(new Publish("big/v3", 1, false, false, 1, MqttProperties.EMPTY, payload),
                        MqttVersion.V3_1_1);
                byte[] rest = v3.readUntilClosed();
                assertThat(rest).as("no PUBACK before the close").isEmpty();
            }

            // Every acknowledged message reaches the subscriber; the broker is up throughout.
            List<byte[]> got = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient back = client(broker.port(), "slow-device");
            back.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> got.add(p.getPayloadAsBytes()));
            back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            int expected = accepted;
            await().atMost(Duration.ofSeconds(30)).until(() -> got.size() >= expected);
            assertThat(got).hasSize(accepted);
            for (int i = 0; i < accepted; i++) {
                assertThat(got.get(i)[0]).isEqualTo((byte) i);
            }
            back.disconnect();
            pub.disconnect();
        }
    }

    @Test
    void diskUseStaysBoundedWhileAMillionMessagesComeAndGo() throws Exception {
        int total = 1_000_000;
        try (EmbeddedBroker broker = start(Map.of("persistence.max-disk-bytes", 64L << 20))) {
            AtomicLong received = new AtomicLong();
            // Messages published and not yet received: the session's backlog, and so the live data, stays small
            // however fast the publisher is next to the subscriber, and what the disk must hold with it.
            Semaphore backlog = new Semaphore(5_000);
            Mqtt5BlockingClient sub = client(broker.port(), "device");
            sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
                received.incrementAndGet();
                backlog.release();
            });
            sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            sub.subscribeWith().topicFilter("flow/#").qos(MqttQos.AT_LEAST_ONCE).send();

            Mqtt5AsyncClient pub = client(broker.port(), "pub").toAsync();
            pub.connect().get(10, TimeUnit.SECONDS);
            byte[] payload = new byte[16];
            long largest = 0;
            for (int i = 0; i < total; i++) {
                backlog.acquire();
                pub.publishWith().topic("flow/x").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
                if (i % 100_000 == 0) {
                    largest = Math.max(largest, diskUse());
                }
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> received.get() >= total);
            largest = Math.max(largest, diskUse());
            // About 100 bytes of journal per message came and went: 100 MB written, a few MB kept.
            assertThat(largest).as("bytes the journal directory took at most").isLessThan(48L << 20);
            pub.disconnect().get(10, TimeUnit.SECONDS);
            sub.disconnect();
        }
    }

    /** What the journal takes on disk, in blocks actually allocated (its files are sparse). */
    private long diskUse() throws IOException, InterruptedException {
        Process du = new ProcessBuilder("du", "-sk", home.resolve("data/persistence").toString()).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        du.waitFor(10, TimeUnit.SECONDS);
        return Long.parseLong(out.split("\\s+")[0]) * 1024;
    }

    @Test
    void aJournalOfAnotherFormatIsRefusedNamingTheDirectoryAndBothVersions() throws Exception {
        Path dir = Files.createDirectories(home.resolve("data/persistence"));
        Files.writeString(dir.resolve("FORMAT"), "gannet-journal-format 99\n");
        assertThatThrownBy(() -> start(Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("format 99")
                .hasMessageContaining("reads format " + JournalDirectory.FORMAT);
        assertThat(Files.readString(dir.resolve("FORMAT"))).as("left as it was").contains("99");
    }

    @Test
    void aSecondBrokerCannotUseTheSameDirectory() throws Exception {
        try (EmbeddedBroker first = start(Map.of())) {
            assertThatThrownBy(() -> start(Map.of())).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("in use by another");
        }
    }

    @Test
    void aDamagedEntryEndsReplayThereAndTheBrokerStartsWithWhatCameBefore() throws Exception {
        try (BrokerProcess broker = new BrokerProcess(home, "sync: os")) {
            broker.start();
            List<String> received = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient sub = client(broker.port(), "device");
            sub.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                    p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            sub.subscribeWith().topicFilter("c/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();
            Mqtt5BlockingClient pub = client(broker.port(), "pub");
            pub.connect();
            for (int i = 0; i < 100; i++) {
                pub.publishWith().topic("c/x").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(String.format("msg-%03d", i).getBytes(StandardCharsets.UTF_8)).send();
            }
            broker.kill();

            assertThat(corrupt(home.resolve("data/persistence"), "msg-090")).as("found the entry to damage").isTrue();
            broker.start();
            assertThat(broker.output()).contains("is damaged").contains("90 queued and in-flight messages");
            sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 90);
            assertThat(received).hasSize(90).startsWith("msg-000").endsWith("msg-089");
        }
    }

    /** Flips a byte of the first journal entry that holds {@code marker}. */
    private static boolean corrupt(Path journal, String marker) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(journal)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cq4")).toList()) {
                byte[] data = Files.readAllBytes(f);
                for (int i = 0; i + needle.length <= data.length; i++) {
                    if (java.util.Arrays.equals(data, i, i + needle.length, needle, 0, needle.length)) {
                        try (var channel = java.nio.channels.FileChannel.open(f,
                                java.nio.file.StandardOpenOption.WRITE)) {
                            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) ~data[i]}), i);
                        }
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
