package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.codec.Disconnect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.PubAck;
import io.gannet.broker.codec.PubRec;
import io.gannet.broker.codec.Publish;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.broker.v5.V5;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.events.BrokerEventListener;
import io.gannet.spi.metrics.Counter;
import io.gannet.spi.publish.AckReason;
import io.gannet.spi.publish.InboundDecision;
import io.gannet.spi.publish.OutboundDecision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inbound and outbound publish interceptors: changing, dropping, holding the acknowledgement; a hook that throws,
 * one that never answers, one that answers late; the message-dropped event and plugin metrics on the way.
 */
class InterceptorTest {
    private EmbeddedBroker broker;

    /** Decides by topic prefix (see each case). Counts what it sees. */
    static final class Rules implements Plugin {
        final Map<String, CompletableFuture<Void>> gates = new ConcurrentHashMap<>();
        final List<String> dropped = new CopyOnWriteArrayList<>();
        volatile Counter seen;

        @Override
        public void start(PluginContext ctx) {
            seen = ctx.metrics().counter("messages/seen");
            ctx.metrics().gauge("gates", gates::size);
            ctx.registerInboundInterceptor((client, m) -> {
                seen.increment();
                String t = m.topic();
                if (t.startsWith("upper/")) {
                    return done(InboundDecision.proceed(m.toBuilder()
                            .payload(m.payloadAsString().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8))
                            .userProperty("seen-by", client.clientId()).build()));
                }
                if (t.startsWith("redirect/")) {
                    return done(InboundDecision.proceed(m.toBuilder().topic("redirected/" + t.substring(9)).build()));
                }
                if (t.startsWith("giveup/")) { // taken on, then given up, as a bridge's full buffer does
                    ctx.messageDropped(client.clientId(), t, m.qos(), "buffer-full");
                    return done(InboundDecision.proceed());
                }
                if (t.startsWith("drop/")) {
                    return done(InboundDecision.drop(AckReason.QUOTA_EXCEEDED, "no room for " + t));
                }
                if (t.startsWith("hang/")) {
                    return new CompletableFuture<>(); // never answers
                }
                if (t.startsWith("throw/")) {
                    throw new IllegalStateException("a broken interceptor");
                }
                if (t.startsWith("slow/")) {
                    return CompletableFuture.supplyAsync(InboundDecision::proceed,
                            CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS));
                }
                if (t.startsWith("held/")) {
                    return done(InboundDecision.proceed().acknowledgeWhen(
                            gates.computeIfAbsent(t, k -> new CompletableFuture<>())));
                }
                return done(InboundDecision.proceed());
            });
            ctx.registerOutboundInterceptor((client, m) -> {
                if (m.topic().startsWith("news/") && client.clientId().equals("censored")) {
                    return done(m.topic().equals("news/secret") ? OutboundDecision.drop()
                            : OutboundDecision.proceed(m.toBuilder().payload(("[" + m.payloadAsString() + "]")
                                    .getBytes(StandardCharsets.UTF_8)).build()));
                }
                if (m.topic().startsWith("ohang/")) {
                    return new CompletableFuture<>();
                }
                return done(OutboundDecision.proceed());
            });
            ctx.registerEventListener(new BrokerEventListener() {
                @Override
                public void messageDropped(MessageDropped e) {
                    dropped.add(e.reason() + " " + e.clientId() + " " + e.topic());
                }
            });
        }

        private static <T> CompletableFuture<T> done(T value) {
            return CompletableFuture.completedFuture(value);
        }
    }

    private final Rules rules = new Rules();

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void start(Map<String, Object> settings) {
        broker = EmbeddedBroker.start(settings, rules);
    }

    private RawClient v5(String id) throws Exception {
        RawClient c = new RawClient(broker.port());
        c.send(V5.connect(id, true, MqttProperties.EMPTY));
        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
        return c;
    }

    private RawClient v3(String id) throws Exception {
        RawClient c = new RawClient(broker.port());
        c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, id));
        assertThat(c.read().type()).isEqualTo(PacketType.CONNACK);
        return c;
    }

    private RawClient subscriber(String id, String filter) throws Exception {
        RawClient c = v5(id);
        c.send(V5.subscribe(1, filter, 1));
        c.readUntil(PacketType.SUBACK);
        return c;
    }

    private static Publish nextPublish(RawClient c) throws Exception {
        return (Publish) c.readUntil(PacketType.PUBLISH).decode(MqttVersion.V5);
    }

    private static PubAck pubAck(RawClient c) throws Exception {
        return (PubAck) c.readUntil(PacketType.PUBACK).decode(MqttVersion.V5);
    }

    @Test
    void anInterceptorChangesPayloadPropertiesAndTopic() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(V5.publish("upper/a", 1, 1, MqttProperties.EMPTY, "hello"));
            assertThat(pubAck(pub).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            Publish got = nextPublish(sub);
            assertThat(got.topic()).isEqualTo("upper/a");
            assertThat(V5.text(got)).isEqualTo("HELLO");
            assertThat(got.properties().userProperties()).extracting(u -> u.name() + "=" + u.value())
                    .containsExactly("seen-by=pub");
            pub.send(V5.publish("redirect/x", 0, 0, MqttProperties.EMPTY, "moved"));
            Publish moved = nextPublish(sub);
            assertThat(moved.topic()).isEqualTo("redirected/x");
            assertThat(V5.text(moved)).isEqualTo("moved");
        }
        assertThat(rules.seen.value()).isEqualTo(2);
        assertThat(broker.broker().sys().snapshot())
                .containsEntry("$SYS/broker/plugins/Rules/messages/seen", "2")
                .containsEntry("$SYS/broker/plugins/Rules/gates", "0");
    }

    @Test
    void aDroppedMessageIsNotDeliveredAndItsPublisherGetsTheReason() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(V5.publish("drop/a", 1, 7, MqttProperties.EMPTY, "x"));
            PubAck ack = pubAck(pub);
            assertThat(ack.packetId()).isEqualTo(7);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
            assertThat(ack.properties().string(PropertyId.REASON_STRING)).isEqualTo("no room for drop/a");
            pub.send(V5.publish("after", 0, 0, MqttProperties.EMPTY, "y"));
            assertThat(nextPublish(sub).topic()).isEqualTo("after"); // the dropped one never came
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rules.dropped.contains("intercepted pub drop/a"));
        assertThat(broker.broker().metrics().droppedCount(
                io.gannet.broker.metrics.BrokerMetrics.DropReason.INTERCEPTED)).isEqualTo(1);
    }

    @Test
    void aMessageAPluginGivesUpIsCountedAndRaisedAsAnEventNamingThePlugin() throws Exception {
        start(Map.of());
        try (RawClient pub = v5("pub")) {
            pub.send(V5.publish("giveup/a", 1, 7, MqttProperties.EMPTY, "x"));
            assertThat(pubAck(pub).packetId()).isEqualTo(7);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !rules.dropped.isEmpty());
        assertThat(rules.dropped).containsExactly("Rules/buffer-full pub giveup/a");
        assertThat(broker.broker().metrics().droppedCount(
                io.gannet.broker.metrics.BrokerMetrics.DropReason.PLUGIN)).isEqualTo(1);
    }

    @Test
    void aSlowDecisionKeepsTheOrderOfTheClientsMessages() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(MalformedCorpus.concat(V5.publish("slow/1", 1, 1, MqttProperties.EMPTY, "1"),
                    V5.publish("fast/2", 1, 2, MqttProperties.EMPTY, "2"),
                    V5.publish("slow/3", 1, 3, MqttProperties.EMPTY, "3")));
            assertThat(List.of(nextPublish(sub).topic(), nextPublish(sub).topic(), nextPublish(sub).topic()))
                    .containsExactly("slow/1", "fast/2", "slow/3");
            assertThat(List.of(pubAck(pub).packetId(), pubAck(pub).packetId(), pubAck(pub).packetId()))
                    .containsExactly(1, 2, 3);
        }
    }

    @Test
    void anInterceptorThatNeverAnswersTimesOutAndTheMessageIsDropped() throws Exception {
        start(Map.of("plugins.hook-timeout-ms", 200));
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(MalformedCorpus.concat(V5.publish("hang/a", 1, 1, MqttProperties.EMPTY, "lost"),
                    V5.publish("next", 1, 2, MqttProperties.EMPTY, "kept")));
            PubAck first = pubAck(pub);
            assertThat(first.packetId()).isEqualTo(1);
            assertThat(first.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
            assertThat(pubAck(pub).packetId()).isEqualTo(2);
            assertThat(nextPublish(sub).topic()).isEqualTo("next");
        }
    }

    @Test
    void withProceedOnFailureAHangingOrThrowingInterceptorLetsTheMessageThrough() throws Exception {
        start(Map.of("plugins.hook-timeout-ms", 200, "plugins.interceptor-failure", "proceed"));
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(V5.publish("hang/a", 1, 1, MqttProperties.EMPTY, "through"));
            assertThat(pubAck(pub).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(nextPublish(sub).topic()).isEqualTo("hang/a");
            pub.send(V5.publish("throw/b", 1, 2, MqttProperties.EMPTY, "through"));
            assertThat(pubAck(pub).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(nextPublish(sub).topic()).isEqualTo("throw/b");
        }
    }

    @Test
    void aThrowingInterceptorDisconnectsA311PublisherSoThatItSendsAgain() throws Exception {
        start(Map.of());
        try (RawClient pub = v3("old")) {
            pub.send(RawClient.encode(new Publish("throw/a", 1, false, false, 1, MqttProperties.EMPTY,
                    new byte[] {1}), MqttVersion.V3_1_1));
            assertThat(pub.closedByBroker()).isTrue();
        }
    }

    @Test
    void aHeldAcknowledgementWaitsForThePluginAndKeepsTheOrder() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(MalformedCorpus.concat(V5.publish("held/a", 1, 1, MqttProperties.EMPTY, "a"),
                    V5.publish("plain", 1, 2, MqttProperties.EMPTY, "b")));
            // Delivery does not wait for the gate; the acknowledgements do, both of them, in order.
            assertThat(nextPublish(sub).topic()).isEqualTo("held/a");
            assertThat(nextPublish(sub).topic()).isEqualTo("plain");
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.containsKey("held/a"));
            assertThat(pub.silentFor(Duration.ofMillis(300))).isTrue();
            rules.gates.get("held/a").complete(null);
            assertThat(pubAck(pub).packetId()).isEqualTo(1);
            assertThat(pubAck(pub).packetId()).isEqualTo(2);

            pub.send(V5.publish("held/b", 1, 3, MqttProperties.EMPTY, "b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.containsKey("held/b"));
            rules.gates.get("held/b").completeExceptionally(new java.io.IOException("kafka is down"));
            PubAck failed = pubAck(pub);
            assertThat(failed.packetId()).isEqualTo(3);
            assertThat(failed.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        }
    }

    @Test
    void gatesThatCompleteOutOfOrderReleaseTheirAcknowledgementsInOrder() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(MalformedCorpus.concat(V5.publish("held/1", 1, 1, MqttProperties.EMPTY, "a"),
                    V5.publish("held/2", 1, 2, MqttProperties.EMPTY, "b"),
                    V5.publish("held/3", 1, 3, MqttProperties.EMPTY, "c")));
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.keySet()
                    .containsAll(List.of("held/1", "held/2", "held/3")));
            // The newest first: its acknowledgement waits behind the two older ones.
            rules.gates.get("held/3").complete(null);
            assertThat(pub.silentFor(Duration.ofMillis(300))).isTrue();
            rules.gates.get("held/1").complete(null);
            assertThat(pubAck(pub).packetId()).isEqualTo(1);
            assertThat(pub.silentFor(Duration.ofMillis(300))).as("2 is still held, and 3 behind it").isTrue();
            rules.gates.get("held/2").completeExceptionally(new java.io.IOException("kafka is down"));
            PubAck second = pubAck(pub);
            assertThat(second.packetId()).isEqualTo(2);
            assertThat(second.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
            PubAck third = pubAck(pub);
            assertThat(third.packetId()).isEqualTo(3);
            assertThat(third.reasonCode()).isEqualTo(ReasonCode.SUCCESS);

            // Nothing held any more: a new held one is waited for as the first was.
            pub.send(V5.publish("held/4", 1, 4, MqttProperties.EMPTY, "d"));
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.containsKey("held/4"));
            rules.gates.get("held/4").complete(null);
            assertThat(pubAck(pub).packetId()).isEqualTo(4);
        }
    }

    @Test
    void aGateThatCompletesAfterItsTimeoutChangesNothingAndTheNextIsStillWaitedFor() throws Exception {
        start(Map.of("plugins.acknowledgement-timeout-seconds", 1));
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(V5.publish("held/late", 1, 1, MqttProperties.EMPTY, "a"));
            PubAck timedOut = pubAck(pub);
            assertThat(timedOut.packetId()).isEqualTo(1);
            assertThat(timedOut.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);

            pub.send(V5.publish("held/next", 1, 2, MqttProperties.EMPTY, "b"));
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.containsKey("held/next"));
            rules.gates.get("held/late").complete(null); // long after its timeout
            assertThat(pub.silentFor(Duration.ofMillis(300))).isTrue();
            rules.gates.get("held/next").complete(null);
            PubAck next = pubAck(pub);
            assertThat(next.packetId()).isEqualTo(2);
            assertThat(next.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
    }

    @Test
    void aHeldAcknowledgementNeverReleasedFailsAtTheTimeoutAndTheOnesBehindItFollow() throws Exception {
        start(Map.of("plugins.acknowledgement-timeout-seconds", 1));
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(MalformedCorpus.concat(V5.publish("held/never", 1, 1, MqttProperties.EMPTY, "a"),
                    V5.publish("plain", 1, 2, MqttProperties.EMPTY, "b")));
            assertThat(nextPublish(sub).topic()).isEqualTo("held/never");
            assertThat(nextPublish(sub).topic()).isEqualTo("plain");
            // The plugin never answers: after the timeout the publisher hears of a failure, and the acknowledgement
            // held behind it goes out, in order.
            PubAck timedOut = pubAck(pub);
            assertThat(timedOut.packetId()).isEqualTo(1);
            assertThat(timedOut.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
            PubAck behind = pubAck(pub);
            assertThat(behind.packetId()).isEqualTo(2);
            assertThat(behind.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(rules.gates.get("held/never")).isNotDone();

            // A second one, held after the first timed out, times out too.
            pub.send(V5.publish("held/later", 1, 3, MqttProperties.EMPTY, "c"));
            PubAck later = pubAck(pub);
            assertThat(later.packetId()).isEqualTo(3);
            assertThat(later.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        }
    }

    @Test
    void aQos2ResendWaitsForTheFirstCopysGateAndAFailedGateEndsTheFlowAfterATakeover() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#"); RawClient first = new RawClient(broker.port())) {
            first.send(V5.connect("q2pub", false, 600));
            first.read();
            first.send(V5.publish("held/q2", 2, 7, MqttProperties.EMPTY, "once"));
            assertThat(nextPublish(sub).topic()).isEqualTo("held/q2");
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.containsKey("held/q2"));

            // The client comes back on a new connection (maybe another event loop) and sends the message again.
            try (RawClient again = new RawClient(broker.port())) {
                again.send(V5.connect("q2pub", false, 600));
                assertThat(again.read().type()).isEqualTo(PacketType.CONNACK);
                again.send(V5.publish("held/q2", 2, 7, MqttProperties.EMPTY, "once"));
                assertThat(again.silentFor(Duration.ofMillis(300)))
                        .as("no PUBREC before the first copy is kept").isTrue();

                rules.gates.get("held/q2").completeExceptionally(new java.io.IOException("kafka is down"));
                PubRec refused = (PubRec) again.readUntil(PacketType.PUBREC).decode(MqttVersion.V5);
                assertThat(refused.packetId()).isEqualTo(7);
                assertThat(refused.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);

                // The flow under id 7 ended: the id is free for a new message, which is routed, not taken for a
                // duplicate of the refused one.
                again.send(V5.publish("free/q2", 2, 7, MqttProperties.EMPTY, "new"));
                PubRec accepted = (PubRec) again.readUntil(PacketType.PUBREC).decode(MqttVersion.V5);
                assertThat(accepted.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
                assertThat(nextPublish(sub).topic()).isEqualTo("free/q2");
            }
        }
    }

    @Test
    void aFailedHeldAcknowledgementDisconnectsA311Publisher() throws Exception {
        start(Map.of());
        try (RawClient pub = v3("old")) {
            pub.send(RawClient.encode(new Publish("held/c", 1, false, false, 1, MqttProperties.EMPTY,
                    new byte[] {1}), MqttVersion.V3_1_1));
            await().atMost(Duration.ofSeconds(10)).until(() -> rules.gates.containsKey("held/c"));
            rules.gates.get("held/c").completeExceptionally(new java.io.IOException("kafka is down"));
            assertThat(pub.closedByBroker()).isTrue(); // no PUBACK: the client will send it again
        }
    }

    @Test
    void anOutboundInterceptorChangesOrDropsPerSubscriber() throws Exception {
        start(Map.of());
        try (RawClient censored = subscriber("censored", "news/#"); RawClient open = subscriber("open", "news/#");
             RawClient pub = v5("pub")) {
            pub.send(V5.publish("news/secret", 0, 0, MqttProperties.EMPTY, "s"));
            pub.send(V5.publish("news/public", 0, 0, MqttProperties.EMPTY, "p"));
            assertThat(V5.text(nextPublish(open))).isEqualTo("s");
            assertThat(V5.text(nextPublish(open))).isEqualTo("p");
            Publish got = nextPublish(censored);
            assertThat(got.topic()).isEqualTo("news/public"); // the secret one was dropped for this subscriber
            assertThat(V5.text(got)).isEqualTo("[p]");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> rules.dropped.contains("intercepted censored news/secret"));
    }

    @Test
    void anOutboundInterceptorThatNeverAnswersHoldsOnlyThatDeliveryUntilTheTimeout() throws Exception {
        start(Map.of("plugins.hook-timeout-ms", 200));
        try (RawClient sub = subscriber("sub", "#"); RawClient pub = v5("pub")) {
            pub.send(V5.publish("ohang/a", 1, 1, MqttProperties.EMPTY, "lost"));
            pub.send(V5.publish("after", 1, 2, MqttProperties.EMPTY, "kept"));
            Publish got = nextPublish(sub);
            assertThat(got.topic()).isEqualTo("after");
            sub.send(RawClient.encode(new PubAck(got.packetId(), 0, MqttProperties.EMPTY), MqttVersion.V5));
            sub.send(RawClient.encode(new Disconnect(0, MqttProperties.EMPTY), MqttVersion.V5));
        }
    }

    @Test
    void aWillGoesThroughTheInterceptorsAsItsClientsMessagesDo() throws Exception {
        start(Map.of());
        try (RawClient sub = subscriber("sub", "#")) {
            for (String topic : List.of("upper/will", "drop/will")) {
                try (RawClient dying = new RawClient(broker.port())) {
                    dying.send(RawClient.encode(new io.gannet.broker.codec.Connect(MqttVersion.V5, "dying-" + topic,
                            true, 0, null, null, new io.gannet.broker.codec.Connect.Will(topic,
                            "last words".getBytes(StandardCharsets.UTF_8), 0, false, MqttProperties.EMPTY),
                            MqttProperties.EMPTY), MqttVersion.V5));
                    assertThat(dying.read().type()).isEqualTo(PacketType.CONNACK);
                } // closed without DISCONNECT: the will goes out
            }
            Publish will = nextPublish(sub);
            assertThat(will.topic()).isEqualTo("upper/will");
            assertThat(V5.text(will)).as("changed by the interceptor").isEqualTo("LAST WORDS");
            assertThat(will.properties().userProperties()).extracting(u -> u.name() + "=" + u.value())
                    .containsExactly("seen-by=dying-upper/will");
            assertThat(sub.silentFor(Duration.ofMillis(300))).as("the dropped will is not delivered").isTrue();
        }
    }
}
