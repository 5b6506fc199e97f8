package io.gannet.cluster;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The latest {@code $SYS/broker/cluster/...} figures of one node, as its $SYS topics publish them. */
final class SysWatch implements AutoCloseable {
    private final Mqtt5AsyncClient client;
    private final Map<String, Long> values = new ConcurrentHashMap<>();

    SysWatch(int port) {
        client = MqttClient.builder().useMqttVersion5().identifier("sys-" + UUID.randomUUID())
                .serverHost("127.0.0.1").serverPort(port).buildAsync();
        client.connect().join();
        client.subscribeWith().topicFilter("$SYS/broker/cluster/#").callback(p -> values.put(
                p.getTopic().toString().substring("$SYS/broker/cluster/".length()),
                Long.parseLong(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).trim()))).send().join();
    }

    /** A watch on a node that may have just started: its listener may take a moment to open. */
    static SysWatch once(int port) {
        SysWatch[] watch = new SysWatch[1];
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            watch[0] = new SysWatch(port);
            return true;
        });
        return watch[0];
    }

    /** The figure's latest value, or -1 before the first. */
    long get(String name) {
        return values.getOrDefault(name, -1L);
    }

    @Override
    public void close() {
        client.disconnect();
    }
}
