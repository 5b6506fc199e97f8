package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.v5.V5;
import io.gannet.spi.ClientInfo;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.AuthStep;
import io.gannet.spi.auth.AuthenticationResult;
import io.gannet.spi.auth.EnhancedAuthenticator;
import io.gannet.spi.events.BrokerEventListener;
import io.gannet.spi.publish.PublishMessage;
import io.gannet.spi.services.SessionInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the broker does for plugins: publishing, finding and disconnecting clients, retained messages, enhanced
 * authentication through the SPI, and the session-created event.
 */
class ServicesTest {
    /** Keeps its context for the test to call, and serves the TEST-CHALLENGE enhanced authentication. */
    static final class Services implements Plugin {
        volatile PluginContext ctx;
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> abandoned = new CopyOnWriteArrayList<>();

        @Override
        public void start(PluginContext context) {
            ctx = context;
            context.registerEventListener(new BrokerEventListener() {
                @Override
                public void sessionCreated(SessionCreated e) {
                    events.add("created " + e.clientId() + " " + e.expirySeconds());
                }

                @Override
                public void sessionEnded(SessionEnded e) {
                    events.add("ended " + e.clientId());
                }
            });
            // With an enhanced authenticator alone, clients that name no method are refused: this one lets them in.
            context.registerAuthenticator(req -> CompletableFuture.completedFuture(AuthenticationResult.success()));
            context.registerEnhancedAuthenticator(new EnhancedAuthenticator() {
                @Override
                public Set<String> methods() {
                    return Set.of("TEST-CHALLENGE");
                }

                @Override
                public io.gannet.spi.auth.AuthConversation start(String method,
                                                                 io.gannet.spi.auth.AuthenticationRequest req) {
                    int[] round = {0};
                    return new io.gannet.spi.auth.AuthConversation() {
                        @Override
                        public java.util.concurrent.CompletionStage<AuthStep> respond(byte[] data) {
                            String got = new String(data, StandardCharsets.UTF_8);
                            if (got.equals("hang")) {
                                return new CompletableFuture<>();
                            }
                            return CompletableFuture.supplyAsync(() -> switch (round[0]++) {
                                case 0 -> AuthStep.challenge(bytes("nonce-" + req.clientId()));
                                default -> got.equals("nonce-" + req.clientId() + "-signed")
                                        ? AuthStep.success(bytes("welcome"))
                                        : AuthStep.refuse(AuthenticationResult.Refusal.BAD_CREDENTIALS, "wrong");
                            });
                        }

                        @Override
                        public void abandon() {
                            abandoned.add(req.clientId());
                        }
                    };
                }
            });
        }
    }

    private final Services plugin = new Services();
    private EmbeddedBroker broker;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start(Map.of("plugins.hook-timeout-ms", 300), plugin);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RawClient connect(byte[] connect) throws Exception {
        RawClient c = new RawClient(broker.port());
        c.send(connect);
        assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        return c;
    }

    @Test
    void aPluginPublishesToSubscribersAndToTheRetainedStore() throws Exception {
        try (RawClient sub = connect(V5.connect("sub", true, MqttProperties.EMPTY))) {
            sub.send(V5.subscribe(1, "cmd/#", 1));
            sub.readUntil(PacketType.SUBACK);
            PublishMessage m = PublishMessage.builder("cmd/reboot", "now").qos(1).retain(true)
                    .contentType("text/plain").userProperty("from", "plugin").messageExpirySeconds(60).build();
            int delivered = plugin.ctx.publisher().publish(m).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(delivered).isEqualTo(1);
            Publish got = (Publish) sub.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5);
            assertThat(got.topic()).isEqualTo("cmd/reboot");
            assertThat(got.qos()).isEqualTo(1);
            assertThat(V5.text(got)).isEqualTo("now");
            assertThat(got.properties().string(PropertyId.CONTENT_TYPE)).isEqualTo("text/plain");
            assertThat(got.properties().number(PropertyId.PAYLOAD_FORMAT_INDICATOR, 0)).isEqualTo(1);
            assertThat(got.properties().number(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0)).isBetween(1L, 60L);
            assertThat(got.properties().userProperties()).extracting(u -> u.name() + "=" + u.value())
                    .containsExactly("from=plugin");
        }
        Optional<PublishMessage> retained = plugin.ctx.retained().get("cmd/reboot");
        assertThat(retained).isPresent();
        assertThat(retained.get().payloadAsString()).isEqualTo("now");
        assertThat(retained.get().contentType()).contains("text/plain");
    }

    @Test
    void retainedMessagesCanBeReadWrittenAndRemoved() throws Exception {
        var retained = plugin.ctx.retained();
        retained.put(PublishMessage.builder("state/a", "1").build());
        retained.put(PublishMessage.builder("state/b", "2").qos(1).build());
        assertThat(retained.size()).isEqualTo(2);
        assertThat(retained.match("state/+")).extracting(PublishMessage::payloadAsString)
                .containsExactlyInAnyOrder("1", "2");
        assertThat(retained.match("state/+")).allMatch(PublishMessage::retain);
        try (RawClient sub = connect(V5.connect("late", true, MqttProperties.EMPTY))) {
            sub.send(V5.subscribe(1, "state/b", 1));
            sub.readUntil(PacketType.SUBACK);
            Publish got = (Publish) sub.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5);
            assertThat(got.retain()).isTrue();
            assertThat(V5.text(got)).isEqualTo("2");
        }
        assertThat(retained.remove("state/a")).isTrue();
        assertThat(retained.remove("state/a")).isFalse();
        assertThat(retained.get("state/a")).isEmpty();
        assertThatThrownBy(() -> retained.get("state/#")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> retained.match("a/#/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPluginFindsClientsAndSessions() throws Exception {
        try (RawClient c = connect(V5.connect("dev-1", true, 300))) {
            c.send(V5.subscribe(1, "cfg/#", 1));
            c.readUntil(PacketType.SUBACK);
            c.send(V5.subscribe(2, "$share/g/jobs/+", 0));
            c.readUntil(PacketType.SUBACK);
            assertThat(plugin.ctx.clients().connectedClients()).extracting(ClientInfo::clientId).contains("dev-1");
            ClientInfo info = plugin.ctx.clients().connectedClient("dev-1").orElseThrow();
            assertThat(info.listenerName()).isEqualTo("test");
            assertThat(info.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
            SessionInfo s = plugin.ctx.clients().session("dev-1").toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .orElseThrow();
            assertThat(s.connected()).isTrue();
            assertThat(s.expirySeconds()).isEqualTo(300);
            assertThat(s.subscriptions()).containsExactlyInAnyOrder(new SessionInfo.SubscriptionInfo("cfg/#", 1),
                    new SessionInfo.SubscriptionInfo("$share/g/jobs/+", 0));
            c.send(RawClient.encode(new Disconnect(0, MqttProperties.EMPTY), MqttVersion.V5));
            assertThat(c.closedByBroker()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> plugin.ctx.clients().connectedClient("dev-1").isEmpty());
        SessionInfo offline = plugin.ctx.clients().session("dev-1").toCompletableFuture().get(10, TimeUnit.SECONDS)
                .orElseThrow();
        assertThat(offline.connected()).isFalse();
        assertThat(offline.subscriptions()).hasSize(2);
        assertThat(plugin.ctx.clients().session("nobody").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(plugin.events).contains("created dev-1 300");
    }

    @Test
    void aPluginDisconnectsAClientWhoseWillIsThenPublished() throws Exception {
        Connect.Will will = new Connect.Will("wills/dev-2", bytes("gone"), 0, false, MqttProperties.EMPTY);
        try (RawClient watcher = connect(V5.connect("watcher", true, MqttProperties.EMPTY));
             RawClient c = connect(V5.connectWithWill("dev-2", 300, will))) {
            watcher.send(V5.subscribe(1, "wills/#", 0));
            watcher.readUntil(PacketType.SUBACK);
            boolean done = plugin.ctx.clients().disconnect("dev-2", "maintenance", true).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(done).isTrue();
            Disconnect d = (Disconnect) c.readUntil(PacketType.DISCONNECT).decode(MqttVersion.V5);
            assertThat(d.reasonCode()).isEqualTo(ReasonCode.ADMINISTRATIVE_ACTION);
            assertThat(d.properties().string(PropertyId.REASON_STRING)).isEqualTo("maintenance");
            assertThat(c.closedByBroker()).isTrue();
            assertThat(((Publish) watcher.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5)).topic())
                    .isEqualTo("wills/dev-2");
        }
        // endSession: the session is gone, not kept for its 300 s.
        await().atMost(Duration.ofSeconds(10)).until(() -> plugin.events.contains("ended dev-2"));
        assertThat(plugin.ctx.clients().session("dev-2").toCompletableFuture().get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(plugin.ctx.clients().disconnect("dev-2", "again", false).toCompletableFuture()
                .get(10, TimeUnit.SECONDS)).isFalse();
    }

    private static MqttProperties auth(String data) {
        return MqttProperties.builder().string(PropertyId.AUTHENTICATION_METHOD, "TEST-CHALLENGE")
                .binary(PropertyId.AUTHENTICATION_DATA, bytes(data)).build();
    }

    @Test
    void enhancedAuthenticationThroughTheSpi() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("alice", true, auth("hello")));
            Auth challenge = (Auth) c.read().decode(MqttVersion.V5);
            assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            assertThat(new String(challenge.properties().binary(PropertyId.AUTHENTICATION_DATA),
                    StandardCharsets.UTF_8)).isEqualTo("nonce-alice");
            c.send(RawClient.encode(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("nonce-alice-signed")),
                    MqttVersion.V5));
            ConnAck ack = (ConnAck) c.read().decode(MqttVersion.V5);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(new String(ack.properties().binary(PropertyId.AUTHENTICATION_DATA), StandardCharsets.UTF_8))
                    .isEqualTo("welcome");
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("mallory", true, auth("hello")));
            c.read();
            c.send(RawClient.encode(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("forged")), MqttVersion.V5));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("stuck", true, auth("hang")));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.SERVER_UNAVAILABLE); // the hook timeout (300 ms) passed
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("leaver", true, auth("hello")));
            c.read(); // the challenge; then the client goes away
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> plugin.abandoned.contains("leaver"));
    }
}
