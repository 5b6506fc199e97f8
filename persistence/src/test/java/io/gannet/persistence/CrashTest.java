package io.gannet.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash safety, tested by crashing: a real broker process killed with SIGKILL, started again on its journal, and
 * what the publishers were acknowledged counted against what the persistent subscribers receive.
 */
class CrashTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    private static Mqtt5BlockingClient client(int port, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(port)
                .buildBlocking();
    }

    /** Connects a persistent session and records every message it receives (acknowledged by the client). */
    private static Mqtt5BlockingClient subscriber(int port, String id, List<String> received) {
        Mqtt5BlockingClient c = client(port, id);
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
        return c;
    }

    @ParameterizedTest(name = "sync: {0}")
    @ValueSource(strings = {"os", "interval", "every-message"})
    void acknowledgedMessagesForAnOfflineSessionSurviveKill9(String sync) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(home, "sync: " + sync)) {
            broker.start();
            List<String> received = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient sub = subscriber(broker.port(), "device", received);
            sub.subscribeWith().topicFilter("t/#").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.disconnect();

            Mqtt5BlockingClient pub = client(broker.port(), "pub");
            pub.connect();
            for (int i = 0; i < 1000; i++) {
                pub.publishWith().topic("t/" + (i % 10)).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Integer.toString(i).getBytes(StandardCharsets.UTF_8)).send(); // returns on PUBACK
            }
            broker.kill();

            broker.start();
            assertThat(broker.output()).contains("1000 queued and in-flight messages");
            subscriber(broker.port(), "device", received);
            await().atMost(WAIT).until(() -> received.size() >= 1000);
            for (int i = 0; i < 1000; i++) {
                assertThat(received.get(i)).as("message %d, in order", i).isEqualTo(Integer.toString(i));
            }
            assertThat(received).hasSize(1000);
        }
    }

    @Test
    void inFlightMessagesAreSentAgainAfterACrash() throws Exception {
        try (BrokerProcess broker = new BrokerProcess(home, "sync: os")) {
            broker.start();
            // The device receives ten messages and acknowledges none: they are in flight when the broker dies.
            List<String> unacknowledged = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient dev = client(broker.port(), "device");
            dev.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                    p -> unacknowledged.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)), true);
            dev.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            dev.subscribeWith().topicFilter("f/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = client(broker.port(), "pub");
            pub.connect();
            for (int i = 0; i < 10; i++) {
                pub.publishWith().topic("f/x").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("f" + i).getBytes(StandardCharsets.UTF_8)).send();
            }
            await().atMost(WAIT).until(() -> unacknowledged.size() == 10);
            broker.kill();

            broker.start();
            List<String> again = new CopyOnWriteArrayList<>();
            subscriber(broker.port(), "device", again);
            await().atMost(WAIT).until(() -> again.size() >= 10);
            assertThat(again).containsExactly("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9");
        }
    }

    @Test
    void retainedMessagesSurviveKill9() throws Exception {
        try (BrokerProcess broker = new BrokerProcess(home, "sync: os")) {
            broker.start();
            Mqtt5BlockingClient pub = client(broker.port(), "pub");
            pub.connect();
            for (int i = 0; i < 50; i++) {
                pub.publishWith().topic("state/" + i).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                        .payload(("s" + i).getBytes(StandardCharsets.UTF_8)).send();
            }
            pub.publishWith().topic("state/7").qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(new byte[0]).send();
            broker.kill();

            broker.start();
            List<String> got = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient reader = client(broker.port(), "reader");
            reader.toAsync().publishes(MqttGlobalPublishFilter.ALL,
                    p -> got.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            reader.connect();
            reader.subscribeWith().topicFilter("state/#").qos(MqttQos.AT_LEAST_ONCE).send();
            await().atMost(WAIT).until(() -> got.size() >= 49);
            assertThat(got).hasSize(49).contains("s0", "s49").doesNotContain("s7");
        }
    }

    @Test
    void aQos2MessageIsDeliveredExactlyOnceAcrossACrash() throws Exception {
        try (BrokerProcess broker = new BrokerProcess(home, "sync: os")) {
            broker.start();
            List<String> received = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient sub = subscriber(broker.port(), "device", received);
            sub.subscribeWith().topicFilter("q2/#").qos(MqttQos.EXACTLY_ONCE).send();
            sub.disconnect();

            // The publisher gets PUBREC, then the broker dies before its PUBREL arrives.
            try (RawClient pub = new RawClient(broker.port())) {
                pub.send(connect("q2-pub"), MqttVersion.V5);
                pub.readUntil(PacketType.CONNACK);
                pub.send(new Publish("q2/x", 2, false, false, 42, MqttProperties.EMPTY,
                        "once".getBytes(StandardCharsets.UTF_8)), MqttVersion.V5);
                pub.readUntil(PacketType.PUBREC);
                broker.kill();
            }

            broker.start();
            try (RawClient pub = new RawClient(broker.port())) {
                pub.send(connect("q2-pub"), MqttVersion.V5);
                assertThat(pub.readUntil(PacketType.CONNACK).byteAt(0) & 1).as("session present").isEqualTo(1);
                // It cannot know whether its PUBREC came after the store; it sends the PUBLISH again, with DUP.
                pub.send(new Publish("q2/x", 2, false, true, 42, MqttProperties.EMPTY,
                        "once".getBytes(StandardCharsets.UTF_8)), MqttVersion.V5);
                pub.readUntil(PacketType.PUBREC);
                pub.send(new PubRel(42), MqttVersion.V5);
                pub.readUntil(PacketType.PUBCOMP);
            }
            subscriber(broker.port(), "device", received);
            await().atMost(WAIT).until(() -> received.size() >= 1);
            // Give a duplicate every chance to arrive, then count.
            Mqtt5BlockingClient probe = client(broker.port(), "probe");
            probe.connect();
            probe.publishWith().topic("q2/marker").qos(MqttQos.EXACTLY_ONCE).payload(new byte[] {'m'}).send();
            await().atMost(WAIT).until(() -> received.contains("m"));
            assertThat(received).containsExactly("once", "m");
        }
    }

    @Test
    void noAcknowledgedMessageIsLostInTenCrashesUnderLoad() throws Exception {
        Random random = new Random(20261203L);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> received = new CopyOnWriteArrayList<>();
        try (BrokerProcess broker = new BrokerProcess(home, "sync: os")) {
            broker.start();
            Mqtt5BlockingClient first = subscriber(broker.port(), "device", received);
            first.subscribeWith().topicFilter("load/#").qos(MqttQos.AT_LEAST_ONCE).send();
            int next = 0;
            for (int cycle = 0; cycle < 10; cycle++) {
                if (cycle > 0) {
                    broker.start();
                    subscriber(broker.port(), "device", received);
                }
                AtomicBoolean stop = new AtomicBoolean();
                int from = next;
                Thread publisher = new Thread(() -> publishUntilStopped(broker.port(), from, stop, acknowledged));
                publisher.start();
                // A random moment under load: after a random number of further acknowledgements.
                int target = acknowledged.size() + 500 + random.nextInt(4000);
                await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= target);
                broker.kill();
                stop.set(true);
                publisher.join(30_000);
                next = from + 1_000_000;
            }
            broker.start();
            subscriber(broker.port(), "device", received);
            await().atMost(Duration.ofSeconds(60)).until(() -> received.containsAll(acknowledged));
            assertThat(acknowledged).hasSizeGreaterThan(1000);
            assertThat(received).containsAll(acknowledged);
        }
    }

    /** Publishes QoS 1 messages one after another, recording each the broker acknowledged, until the broker dies. */
    private static void publishUntilStopped(int port, int from, AtomicBoolean stop, Set<String> acknowledged) {
        Mqtt5BlockingClient pub = client(port, "pub");
        try {
            pub.connect();
            for (int i = from; !stop.get(); i++) {
                String payload = Integer.toString(i);
                pub.publishWith().topic("load/" + (i % 7)).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
                acknowledged.add(payload);
            }
        } catch (RuntimeException broken) {
            // the broker was killed: what was acknowledged so far is what counts
        }
    }

    private static Connect connect(String clientId) {
        MqttProperties expiry = MqttProperties.builder().number(PropertyId.SESSION_EXPIRY_INTERVAL, 3600).build();
        return new Connect(MqttVersion.V5, clientId, false, 60, null, null, null, expiry);
    }
}
