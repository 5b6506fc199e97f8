package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.Broker;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.codec.SubAck;
import io.gannet.broker.codec.Subscribe;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.AuthorizationRequest;
import io.gannet.spi.auth.AuthorizationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TopicAuthorizer hook: PUBLISH and SUBSCRIBE decisions, their cache, order and failure modes. */
class AuthorizationTest {
    private Broker broker;

    /**
     * Rules: nobody publishes to secret/...; nobody reads feed/private...; only "admin" reads $SYS; "slow/..." is decided after 200 ms from
     * another thread; "hang/..." is never decided. Counts the questions it gets.
     */
    static final class Rules implements Plugin {
        final AtomicInteger questions = new AtomicInteger();
        final List<AuthorizationRequest> subscribeQuestions = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile PluginContext context;

        @Override
        public void start(PluginContext ctx) {
            context = ctx;
            ctx.registerAuthorizer(req -> {
                questions.incrementAndGet();
                String topic = req.topic();
                boolean publish = req.action() == AuthorizationRequest.Action.PUBLISH;
                if (!publish) {
                    subscribeQuestions.add(req);
                }
                if (!publish && topic.startsWith("feed/private")) {
                    return CompletableFuture.completedFuture(AuthorizationResult.DENY);
                }
                if (topic.startsWith("hang/")) {
                    return new CompletableFuture<>();
                }
                if (topic.startsWith("slow/")) {
                    return CompletableFuture.supplyAsync(() -> AuthorizationResult.ALLOW,
                            CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
                }
                if (publish && topic.startsWith("secret/")) {
                    return CompletableFuture.completedFuture(AuthorizationResult.DENY);
                }
                if (!publish && topic.startsWith("$SYS")) {
                    return CompletableFuture.completedFuture(req.client().username().orElse("").equals("admin")
                            ? AuthorizationResult.ALLOW : AuthorizationResult.DENY);
                }
                return CompletableFuture.completedFuture(AuthorizationResult.ALLOW);
            });
        }
    }

    private final Rules rules = new Rules();

    private void start(Map<String, Object> mqtt) throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("plugins", Map.of("hook-timeout-ms", 300));
        root.put("sys", Map.of("interval-seconds", 1));
        root.put("mqtt", mqtt);
        GannetConfig config = ConfigLoader.fromMap(root)
                .withListeners(List.of(new ListenerConfig("test", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config).embed(rules).start();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private RawClient client(MqttVersion version, String id, String user) throws Exception {
        RawClient c = new RawClient(broker.address("test").getPort());
        c.send(RawClient.encode(new io.gannet.broker.codec.Connect(version, id, true, 60, user,
                user == null ? null : new byte[0], null, MqttProperties.EMPTY), version));
        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
        return c;
    }

    private static List<Integer> subscribe(RawClient c, MqttVersion v, String... filters) throws Exception {
        List<Subscribe.TopicSubscription> subs = java.util.Arrays.stream(filters)
                .map(f -> Subscribe.TopicSubscription.of(f, 1)).toList();
        c.send(RawClient.encode(new Subscribe(1, subs, MqttProperties.EMPTY), v));
        return ((SubAck) c.readUntil(PacketType.SUBACK).decode(v)).reasonCodes();
    }

    private static byte[] publish(MqttVersion v, String topic, int qos, int id) {
        return RawClient.encode(new Publish(topic, qos, false, false, id, MqttProperties.EMPTY,
                topic.getBytes(StandardCharsets.UTF_8)), v);
    }

    @Test
    void deniedPublishIsNotDeliveredAndA5ClientIsTold() throws Exception {
        start(Map.of());
        try (RawClient sub = client(MqttVersion.V5, "sub", null); RawClient pub = client(MqttVersion.V5, "pub", null)) {
            subscribe(sub, MqttVersion.V5, "#");
            pub.send(publish(MqttVersion.V5, "secret/plans", 1, 1));
            RawClient.RawPacket ack = pub.read();
            assertThat(ack.type()).isEqualTo(PacketType.PUBACK);
            assertThat(ack.byteAt(2)).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            pub.send(publish(MqttVersion.V5, "public/news", 1, 2));
            pub.read();
            assertThat(((Publish) sub.read().decode(MqttVersion.V5)).topic()).isEqualTo("public/news");
        }
    }

    @Test
    void deniedPublishFromA311ClientIsDroppedOrDisconnectsAsConfigured() throws Exception {
        start(Map.of());
        try (RawClient pub = client(MqttVersion.V3_1_1, "pub", null)) {
            pub.send(publish(MqttVersion.V3_1_1, "secret/x", 1, 1));
            RawClient.RawPacket ack = pub.read();
            assertThat(ack.type()).as("dropped, acknowledged as usual").isEqualTo(PacketType.PUBACK);
            assertThat(ack.body()).hasSize(2);
        }
        broker.close();
        start(Map.of("v3-denied-publish", "disconnect"));
        try (RawClient pub = client(MqttVersion.V3_1_1, "pub", null)) {
            pub.send(publish(MqttVersion.V3_1_1, "secret/x", 1, 1));
            assertThat(pub.closedByBroker()).isTrue();
        }
    }

    @Test
    void sysIsReadableOnlyWhenGranted() throws Exception {
        start(Map.of());
        try (RawClient guest = client(MqttVersion.V5, "guest", "guest");
             RawClient admin = client(MqttVersion.V5, "admin", "admin")) {
            assertThat(subscribe(guest, MqttVersion.V5, "$SYS/#", "ok/#"))
                    .containsExactly(ReasonCode.NOT_AUTHORIZED, 1);
            assertThat(subscribe(admin, MqttVersion.V5, "$SYS/#")).containsExactly(1);
            assertThat(((Publish) admin.read().decode(MqttVersion.V5)).topic()).startsWith("$SYS/broker/");
        }
        try (RawClient v3 = client(MqttVersion.V3_1_1, "v3guest", "guest")) {
            assertThat(subscribe(v3, MqttVersion.V3_1_1, "$SYS/#")).containsExactly(ReasonCode.V3_SUBACK_FAILURE);
        }
    }

    @Test
    void aSlowDecisionKeepsTheOrderOfLaterPackets() throws Exception {
        start(Map.of());
        try (RawClient sub = client(MqttVersion.V5, "sub", null); RawClient pub = client(MqttVersion.V5, "pub", null)) {
            subscribe(sub, MqttVersion.V5, "#");
            pub.send(MalformedCorpus.concat(publish(MqttVersion.V5, "slow/first", 0, 0),
                    publish(MqttVersion.V5, "fast/second", 0, 0), publish(MqttVersion.V5, "fast/third", 0, 0)));
            assertThat(((Publish) sub.read().decode(MqttVersion.V5)).topic()).isEqualTo("slow/first");
            assertThat(((Publish) sub.read().decode(MqttVersion.V5)).topic()).isEqualTo("fast/second");
            assertThat(((Publish) sub.read().decode(MqttVersion.V5)).topic()).isEqualTo("fast/third");
        }
    }

    @Test
    void decisionsAreCachedPerConnectionUntilInvalidated() throws Exception {
        start(Map.of());
        try (RawClient pub = client(MqttVersion.V5, "pub", null)) {
            int before = rules.questions.get();
            for (int i = 1; i <= 5; i++) {
                pub.send(publish(MqttVersion.V5, "cached/topic", 1, i));
                pub.read();
            }
            assertThat(rules.questions.get() - before).as("asked once for five").isEqualTo(1);
            rules.context.invalidateAuthorizations();
            pub.send(publish(MqttVersion.V5, "cached/topic", 1, 6));
            pub.read();
            assertThat(rules.questions.get() - before).as("asked again after invalidation").isEqualTo(2);
        }
    }

    @Test
    void aHookThatNeverAnswersDenies() throws Exception {
        start(Map.of());
        try (RawClient pub = client(MqttVersion.V5, "pub", null)) {
            pub.send(publish(MqttVersion.V5, "hang/x", 1, 1));
            RawClient.RawPacket ack = pub.read();
            assertThat(ack.byteAt(2)).as("fails closed after the hook timeout").isEqualTo(ReasonCode.NOT_AUTHORIZED);
            pub.send(MalformedCorpus.packet(0xC0));
            assertThat(pub.readTimeout(Duration.ofSeconds(5)).read().type()).isEqualTo(PacketType.PINGRESP);
        }
    }

    @Test
    void retainedMessagesAreAuthorizedPerTopicOnSubscribe() throws Exception {
        start(Map.of());
        try (RawClient pub = client(MqttVersion.V5, "pub", null)) {
            for (String topic : List.of("feed/public", "feed/private", "feed/private/deeper", "feed/public2")) {
                pub.send(RawClient.encode(new Publish(topic, 1, false, true, 1, MqttProperties.EMPTY,
                        topic.getBytes(StandardCharsets.UTF_8)), MqttVersion.V5));
                pub.readUntil(PacketType.PUBACK);
            }
        }
        try (RawClient sub = client(MqttVersion.V5, "sub", null)) {
            assertThat(subscribe(sub, MqttVersion.V5, "feed/#")).as("the filter is allowed").containsExactly(1);
            List<String> got = new java.util.ArrayList<>();
            got.add(((Publish) sub.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5)).topic());
            got.add(((Publish) sub.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5)).topic());
            assertThat(got).containsExactlyInAnyOrder("feed/public", "feed/public2");
            assertThat(sub.silentFor(Duration.ofMillis(300))).as("nothing of feed/private").isTrue();
        }
        assertThat(broker.metrics().refusedCount(io.gannet.broker.metrics.BrokerMetrics.Refusal
                .RETAINED_NOT_AUTHORIZED)).isEqualTo(2);
    }

    @Test
    void theAuthorizerSeesTheGroupOfASharedSubscription() throws Exception {
        start(Map.of());
        try (RawClient sub = client(MqttVersion.V5, "sub", null)) {
            assertThat(subscribe(sub, MqttVersion.V5, "$share/workers/jobs/#", "plain/#")).containsExactly(1, 1);
        }
        assertThat(rules.subscribeQuestions).extracting(AuthorizationRequest::topic, r -> r.shareName()
                .orElse(null)).containsExactly(org.assertj.core.groups.Tuple.tuple("jobs/#", "workers"),
                org.assertj.core.groups.Tuple.tuple("plain/#", null));
    }

    @Test
    void onlyTheBrokerPublishesUnderSys() throws Exception {
        start(Map.of());
        try (RawClient pub = client(MqttVersion.V5, "pub", "admin")) {
            pub.send(publish(MqttVersion.V5, "$SYS/broker/version", 1, 1));
            RawClient.RawPacket ack = pub.readUntil(PacketType.PUBACK);
            assertThat(ack.byteAt(2)).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            pub.send(publish(MqttVersion.V5, "$SYSTEM/ok", 1, 2));
            assertThat(pub.readUntil(PacketType.PUBACK).body()).as("another $ topic is not the broker's")
                    .hasSizeLessThanOrEqualTo(3);
        }
    }
}
