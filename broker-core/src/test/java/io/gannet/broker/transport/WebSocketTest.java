package io.gannet.broker.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.gannet.broker.Broker;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.testing.MalformedCorpus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MQTT over WebSocket (spec section 6) on a ws listener, beside a plain TCP one: real clients of both kinds. */
class WebSocketTest {
    private static Broker broker;
    private static int wsPort;
    private static int tcpPort;
    private static int webPort;

    @BeforeAll
    static void start() throws Exception {
        GannetConfig config = ConfigLoader.fromMap(Map.of("sys", Map.of("interval-seconds", 0)))
                .withListeners(List.of(new ListenerConfig("tcp", "127.0.0.1", 0, "mqtt"),
                        new ListenerConfig("ws", "127.0.0.1", 0, "ws"),
                        new ListenerConfig("web", "127.0.0.1", 0, "ws")
                                .withAllowedOrigins(List.of("https://App.Example.com:443/", "http://localhost:3000"))));
        broker = new Broker(config).start();
        wsPort = broker.address("ws").getPort();
        webPort = broker.address("web").getPort();
        tcpPort = broker.address("tcp").getPort();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aWebSocketClientAndATcpClientTalkToEachOther() throws Exception {
        Mqtt5BlockingClient ws = MqttClient.builder().useMqttVersion5().identifier("browser").serverHost("127.0.0.1")
                .serverPort(wsPort).webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
        Mqtt5BlockingClient tcp = MqttClient.builder().useMqttVersion5().identifier("device")
                .serverHost("127.0.0.1").serverPort(tcpPort).buildBlocking();
        ws.connect();
        tcp.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes toWs = ws.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes toTcp = tcp.publishes(
                     com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            ws.subscribeWith().topicFilter("telemetry/#").qos(MqttQos.AT_LEAST_ONCE).send();
            tcp.subscribeWith().topicFilter("commands/#").qos(MqttQos.AT_LEAST_ONCE).send();
            byte[] big = new byte[200_000]; // spans many WebSocket frames and TCP segments
            big[199_999] = 42;
            tcp.publishWith().topic("telemetry/1").qos(MqttQos.AT_LEAST_ONCE).payload(big).send();
            ws.publishWith().topic("commands/1").qos(MqttQos.EXACTLY_ONCE).payload("reboot".getBytes()).send();
            Mqtt5Publish atWs = toWs.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(atWs.getPayloadAsBytes()).isEqualTo(big);
            Mqtt5Publish atTcp = toTcp.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(atTcp.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("reboot");
        } finally {
            ws.disconnect();
            tcp.disconnect();
        }
    }

    @Test
    void pahoSpeaks311OverWebSocket() throws Exception {
        var client = new org.eclipse.paho.client.mqttv3.MqttClient("ws://127.0.0.1:" + wsPort + "/mqtt", "paho-ws",
                new MemoryPersistence());
        CompletableFuture<String> got = new CompletableFuture<>();
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                got.complete(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        try {
            client.subscribe("echo/#", 1);
            client.publish("echo/1", "hi".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("echo/1 hi");
        } finally {
            client.disconnect();
            client.close();
        }
    }

    /** Collects what the broker says on a raw WebSocket, and how it closes. */
    private static final class Listener implements WebSocket.Listener {
        final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        final CompletableFuture<ByteBuffer> firstBinary = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
            firstBinary.complete(copy);
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closedWith.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closedWith.completeExceptionally(error);
        }
    }

    private static WebSocket open(Listener listener) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
                .buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/any/path"), listener).get(10, TimeUnit.SECONDS);
    }

    @Test
    void theHandshakeChoosesTheMqttSubprotocolAndRawPacketsWork() throws Exception {
        Listener listener = new Listener();
        WebSocket socket = open(listener);
        assertThat(socket.getSubprotocol()).isEqualTo("mqtt");
        byte[] connect = MalformedCorpus.connect(MqttVersion.V3_1_1, "raw-ws");
        // Split across two frames: the decoder must not care where frames end [MQTT-6.0.0-2].
        socket.sendBinary(ByteBuffer.wrap(connect, 0, 3), true).get(10, TimeUnit.SECONDS);
        socket.sendBinary(ByteBuffer.wrap(connect, 3, connect.length - 3), true).get(10, TimeUnit.SECONDS);
        ByteBuffer connAck = listener.firstBinary.get(10, TimeUnit.SECONDS);
        assertThat(connAck.get(0) & 0xFF).isEqualTo(0x20); // CONNACK
        assertThat(connAck.get(3)).isEqualTo((byte) 0); // accepted
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }

    @Test
    void aTextFrameClosesTheConnection() throws Exception {
        Listener listener = new Listener();
        WebSocket socket = open(listener);
        socket.sendText("CONNECT please", true).get(10, TimeUnit.SECONDS);
        assertThat(listener.closedWith.get(10, TimeUnit.SECONDS)).isEqualTo(1003); // unsupported data [MQTT-6.0.0-1]
    }

    @Test
    void aPlainHttpRequestGets400AndNoOtherSubprotocolIsAgreed() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + wsPort + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("not a WebSocket handshake");
        // Another subprotocol is not agreed to; like other brokers, the connection is still allowed.
        WebSocket other = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("stomp")
                .buildAsync(URI.create("ws://127.0.0.1:" + wsPort + "/mqtt"), new Listener()).get(10, TimeUnit.SECONDS);
        assertThat(other.getSubprotocol()).isEmpty();
        other.abort();
    }

    /** The HTTP status of a WebSocket handshake sent with {@code origin}; 101 when it was accepted. */
    private static int handshakeStatus(int port, String origin) throws Exception {
        try {
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt")
                    .header("Origin", origin).buildAsync(URI.create("ws://127.0.0.1:" + port + "/mqtt"),
                            new Listener()).get(10, TimeUnit.SECONDS);
            socket.abort();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    @Test
    void byDefaultAWebPageCannotConnectButAClientOutsideABrowserCan() throws Exception {
        long before = broker.metrics().refusedCount(io.gannet.broker.metrics.BrokerMetrics.Refusal.WEBSOCKET_ORIGIN);
        // Any page the developer has open could otherwise use the anonymous local listener through the browser.
        assertThat(handshakeStatus(wsPort, "https://evil.example")).isEqualTo(403);
        assertThat(handshakeStatus(wsPort, "http://localhost:3000")).isEqualTo(403);
        assertThat(handshakeStatus(wsPort, "http://rebound.example:" + wsPort)).as("a name is no proof").isEqualTo(403);
        assertThat(handshakeStatus(wsPort, "http://localhost:" + wsPort)).as("the listener itself, as Netty's "
                + "WebSocket clients send it").isEqualTo(101);
        assertThat(handshakeStatus(wsPort, "http://127.0.0.1:" + wsPort)).isEqualTo(101);
        assertThat(broker.metrics().refusedCount(io.gannet.broker.metrics.BrokerMetrics.Refusal.WEBSOCKET_ORIGIN))
                .isEqualTo(before + 3);
        Listener listener = new Listener();
        WebSocket noOrigin = open(listener);
        assertThat(noOrigin.getSubprotocol()).isEqualTo("mqtt");
        noOrigin.abort();
    }

    @Test
    void aListedOriginConnectsInAnySpellingAndNoOtherDoes() throws Exception {
        assertThat(handshakeStatus(webPort, "https://app.example.com")).isEqualTo(101);
        assertThat(handshakeStatus(webPort, "HTTPS://APP.EXAMPLE.COM")).isEqualTo(101);
        assertThat(handshakeStatus(webPort, "http://localhost:3000")).isEqualTo(101);
        assertThat(handshakeStatus(webPort, "http://app.example.com")).as("another scheme").isEqualTo(403);
        assertThat(handshakeStatus(webPort, "https://app.example.com:8443")).as("another port").isEqualTo(403);
        assertThat(handshakeStatus(webPort, "https://app.example.com.evil.example")).isEqualTo(403);
        assertThat(handshakeStatus(webPort, "null")).as("a local file or sandboxed frame").isEqualTo(403);
    }

    @Test
    void anAllowedPageSpeaksMqtt() throws Exception {
        Mqtt5BlockingClient page = MqttClient.builder().useMqttVersion5().identifier("page").serverHost("127.0.0.1")
                .serverPort(webPort).webSocketConfig().serverPath("mqtt").httpHeaders(Map.of("Origin",
                        "https://app.example.com")).applyWebSocketConfig().buildBlocking();
        page.connect();
        page.subscribeWith().topicFilter("page/#").send();
        page.disconnect();
    }

    /** Sends raw bytes to the ws listener and returns all it answers until it closes. */
    private static String raw(byte[]... parts) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", wsPort)) {
            socket.setSoTimeout(10_000);
            for (byte[] part : parts) {
                socket.getOutputStream().write(part);
                socket.getOutputStream().flush();
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void anUpgradeToAnAbsoluteUrlGets400AndDoesNotReachMqtt() throws Exception {
        // Found by WebSocketFuzzTest: a request target that is not a path passed the handshake handler and reached
        // the MQTT connection as an HTTP object (an unexpected error, and a leaked request).
        String answer = raw(WebSocketFuzzTest.upgradeTo("http://127.0.0.1/mqtt"));
        assertThat(answer).startsWith("HTTP/1.1 400").contains("not a WebSocket handshake");
    }

    @Test
    void anUnmaskedFrameClosesTheConnectionAsMalformed() throws Exception {
        long before = broker.metrics().malformedPackets();
        byte[] connect = MalformedCorpus.connect(MqttVersion.V3_1_1, "unmasked");
        byte[] frame = MalformedCorpus.concat(new byte[] {(byte) 0x82, (byte) connect.length}, connect); // no mask
        String answer = raw(WebSocketFuzzTest.upgradeTo("/mqtt"), frame);
        assertThat(answer).startsWith("HTTP/1.1 101");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.metrics().malformedPackets() == before + 1);
    }
}
