package io.gannet.broker.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.MqttPacket;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PubRel;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.events.BrokerEvents;
import io.gannet.broker.events.Drops;
import io.gannet.broker.message.Message;
import io.gannet.broker.metrics.BrokerMetrics;
import io.gannet.broker.routing.LocalSubscriptions;
import io.gannet.broker.testing.RecordingStore;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session's parts without sockets: a real event loop, a link that records what the session writes, and a store
 * that records what it journals. The outbound QoS 1 and 2 flows, queueing, expiry and the takeover generation.
 */
class SessionFlowTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final RecordingStore store = new RecordingStore();
    private final SessionRegistry registry = new SessionRegistry();
    private final List<Message> wills = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What a connection shows a session, and what the session wrote to it. */
    final class Link implements ClientLink {
        final List<String> written = Collections.synchronizedList(new ArrayList<>());
        volatile boolean writable = true;
        volatile boolean active = true;
        volatile Session attachedTo;
        volatile boolean sessionPresent;
        volatile Boolean takenOver;
        volatile String refusedFor;
        String user = "alice";
        final int receiveMaximum;

        Link(int receiveMaximum) {
            this.receiveMaximum = receiveMaximum;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public MqttVersion version() {
            return MqttVersion.V5;
        }

        @Override
        public Message will() {
            return null;
        }

        @Override
        public long willDelaySeconds() {
            return 0;
        }

        @Override
        public ConnectAttempt client() {
            return new ConnectAttempt("c", user, null, MqttVersion.V5, "test", null, List.of());
        }

        @Override
        public boolean isActive() {
            return active;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public boolean writePublish(Message message, int qos, boolean retain, boolean dup, int packetId,
                                    int[] subscriptionIds, ByteBuf sharedPayload) {
            written.add("publish " + new String(message.payload(), StandardCharsets.UTF_8) + " qos=" + qos
                    + (packetId == 0 ? "" : " id=" + packetId) + (dup ? " dup" : ""));
            return true;
        }

        @Override
        public int receiveMaximum() {
            return receiveMaximum;
        }

        @Override
        public void write(MqttPacket packet) {
            written.add(packet instanceof PubRel rel ? "pubrel " + rel.packetId() : packet.type().toString());
        }

        @Override
        public void refused(String reason) {
            refusedFor = reason;
        }

        @Override
        public void takenOver(boolean sessionContinues) {
            takenOver = sessionContinues;
        }

        @Override
        public void disconnect(int reasonCode, String reason) {
            written.add("disconnect 0x" + Integer.toHexString(reasonCode));
        }

        @Override
        public void attached(Session session, boolean present) {
            attachedTo = session;
            sessionPresent = present;
        }
    }

    private Session session(Map<String, Object> sessionSettings, int inflightWindow) {
        SessionContext context = new SessionContext(ConfigLoader.fromMap(Map.of("sessions", sessionSettings))
                .sessions(), inflightWindow, Clock.systemUTC(), registry, store, new LocalSubscriptions(),
                (will, publisher) -> wills.add(will), OutboundInterceptor.NONE, BrokerEvents.NONE, new Drops(metrics, BrokerEvents.NONE),
                new QueueBudget(Long.MAX_VALUE));
        return registry.getOrCreate("c", () -> new Session("c", loop, context));
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get();
    }

    private static Message message(String payload, int qos) {
        return new Message("t", qos, false, payload.getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY, "p");
    }

    private Link attach(Session s, boolean cleanStart, long expiry, int receiveMaximum) {
        Link link = new Link(receiveMaximum);
        s.takeover(link, cleanStart, expiry, () -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> link.attachedTo == s);
        return link;
    }

    @Test
    void qos1DeliveriesFillTheWindowThenQueueUntilAcknowledged() throws Exception {
        Session s = session(Map.of(), 2);
        Link link = attach(s, true, 60, 65_535);
        onLoop(() -> {
            for (String p : List.of("a", "b", "c")) {
                s.deliver(message(p, 1), 1, false, null, null, null);
            }
            return null;
        });
        assertThat(link.written).containsExactly("publish a qos=1 id=1", "publish b qos=1 id=2");
        assertThat(onLoop(() -> s.outbound().queued())).isEqualTo(1);
        onLoop(() -> {
            s.outbound().onPubAck(1);
            return null;
        });
        assertThat(link.written).containsExactly("publish a qos=1 id=1", "publish b qos=1 id=2",
                "publish c qos=1 id=3");
        assertThat(onLoop(() -> s.outbound().inflightCount())).isEqualTo(2);
        assertThat(store.events("c")).containsExactly("created alice expiry=60 will=none",
                "queued 0 t 'a' qos=1", "sent 0 id=1", "queued 1 t 'b' qos=1", "sent 1 id=2",
                "queued 2 t 'c' qos=1", "puback 1", "sent 2 id=3");
    }

    @Test
    void aClientsReceiveMaximumLowersTheWindow() throws Exception {
        Session s = session(Map.of(), 10);
        Link link = attach(s, true, 0, 1);
        onLoop(() -> {
            s.deliver(message("a", 1), 1, false, null, null, null);
            s.deliver(message("b", 1), 1, false, null, null, null);
            return null;
        });
        assertThat(link.written).containsExactly("publish a qos=1 id=1");
        assertThat(store.events("c")).isEmpty(); // expiry 0: nothing of it is kept
    }

    @Test
    void theQos2FlowAndARefusedPubRec() throws Exception {
        Session s = session(Map.of(), 10);
        Link link = attach(s, true, 60, 65_535);
        onLoop(() -> {
            s.deliver(message("a", 2), 2, false, null, null, null);
            s.deliver(message("b", 2), 2, false, null, null, null);
            return null;
        });
        assertThat(onLoop(() -> s.outbound().onPubRec(1, 0))).isTrue();
        assertThat(onLoop(() -> s.outbound().onPubRec(2, 0x80))).isTrue(); // a 5.0 client refused it: flow ends
        assertThat(onLoop(() -> s.outbound().onPubRec(42, 0))).isFalse(); // nothing under that id
        onLoop(() -> {
            s.outbound().onPubComp(1);
            return null;
        });
        assertThat(link.written).containsExactly("publish a qos=2 id=1", "publish b qos=2 id=2", "pubrel 1");
        assertThat(onLoop(() -> s.outbound().inflightCount())).isZero();
        assertThat(store.events("c")).containsExactly("created alice expiry=60 will=none",
                "queued 0 t 'a' qos=2", "sent 0 id=1", "queued 1 t 'b' qos=2", "sent 1 id=2", "pubrec 1",
                "removed 1", "pubcomp 1");
    }

    @Test
    void offlineQos1IsQueuedAndQos0DroppedThenSentOnReturn() throws Exception {
        Session s = session(Map.of(), 10);
        Link first = attach(s, true, 60, 65_535);
        s.detach(first, null, 0);
        onLoop(() -> {
            s.deliver(message("lost", 0), 0, false, null, null, null);
            s.deliver(message("kept", 1), 1, false, null, null, null);
            return null;
        });
        assertThat(metrics.droppedCount(BrokerMetrics.DropReason.QOS0_OFFLINE)).isEqualTo(1);
        Link back = attach(s, false, 60, 65_535);
        assertThat(back.sessionPresent).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> back.written.contains("publish kept qos=1 id=1"));
        assertThat(store.events("c")).containsExactly("created alice expiry=60 will=none", "disconnected",
                "will cleared", "queued 0 t 'kept' qos=1", "resumed alice expiry=60 will=none", "sent 0 id=1");
    }

    @Test
    void aFullQueueDropsTheOldestAndTellsTheJournal() throws Exception {
        Session s = session(Map.of("max-queued-messages", 2), 10);
        Link link = attach(s, true, 60, 65_535);
        s.detach(link, null, 0);
        onLoop(() -> {
            for (String p : List.of("1", "2", "3")) {
                s.deliver(message(p, 1), 1, false, null, null, null);
            }
            return null;
        });
        assertThat(metrics.droppedCount(BrokerMetrics.DropReason.QUEUE_FULL)).isEqualTo(1);
        assertThat(store.events("c")).endsWith("queued 0 t '1' qos=1", "queued 1 t '2' qos=1", "removed 0",
                "queued 2 t '3' qos=1");
    }

    @Test
    void anUnacknowledgedDeliveryIsSentAgainWithDupAfterAReconnect() throws Exception {
        Session s = session(Map.of(), 10);
        Link first = attach(s, true, 60, 65_535);
        onLoop(() -> s.deliver(message("a", 1), 1, false, null, null, null));
        s.detach(first, null, 0);
        Link back = attach(s, false, 60, 65_535);
        await().atMost(Duration.ofSeconds(5)).until(() -> back.written.contains("publish a qos=1 id=1 dup"));
    }

    @Test
    void aSessionWithoutItsClientExpires() throws Exception {
        Session s = session(Map.of(), 10);
        Link link = attach(s, true, 1, 65_535);
        s.detach(link, message("will", 0), 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("c") == null);
        assertThat(wills).hasSize(1);
        assertThat(store.events("c")).endsWith("disconnected", "will cleared", "ended expired");
    }

    @Test
    void theLaterOfTwoTakeoversWins() throws Exception {
        Session s = session(Map.of(), 10);
        Link one = new Link(65_535);
        Link two = new Link(65_535);
        // Both reach the loop before either attaches: the first one's attachment finds a newer generation. The
        // loop is held until both are queued, or it could attach the first before the second arrives.
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        loop.execute(() -> {
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        s.takeover(one, true, 0, () -> { });
        s.takeover(two, true, 0, () -> { });
        held.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> two.attachedTo == s);
        assertThat(one.attachedTo).isNull();
        assertThat(one.takenOver).isFalse();
        assertThat(onLoop(s::isOnline)).isTrue();
    }

    @Test
    void aClientOfAnotherIdentityIsRefusedAndTheSessionKeepsItsConnection() throws Exception {
        Session s = session(Map.of(), 10);
        Link alice = new Link(65_535);
        s.takeover(alice, false, 3600, () -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> alice.attachedTo == s);
        Link mallory = new Link(65_535);
        mallory.user = null; // anonymous, with alice's client id
        s.takeover(mallory, false, 3600, () -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> mallory.refusedFor != null);
        assertThat(mallory.attachedTo).isNull();
        assertThat(alice.takenOver).as("alice's connection is left alone").isNull();
        assertThat(onLoop(s::isOnline)).isTrue();

        Link aliceAgain = new Link(65_535);
        s.takeover(aliceAgain, false, 3600, () -> { });
        await().atMost(Duration.ofSeconds(5)).until(() -> aliceAgain.attachedTo == s);
        assertThat(aliceAgain.sessionPresent).isTrue();
        assertThat(alice.takenOver).isTrue();
    }

    @Test
    void aTakeoverOfAnEndedSessionStartsOver() throws Exception {
        Session s = session(Map.of(), 10);
        Link link = attach(s, true, 0, 65_535);
        s.detach(link, null, 0); // expiry 0: the session ends with its connection
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.get("c") == null);
        boolean[] startedOver = {false};
        onLoop(() -> {
            s.takeover(new Link(65_535), true, 0, () -> startedOver[0] = true);
            return null;
        });
        assertThat(onLoop(() -> startedOver[0])).isTrue();
    }

    @Test
    void aSessionResumedOnAnotherBrokerFailsTheMessagesThatStillReachItAndOneStartedCleanThereDropsThem()
            throws Exception {
        Session moved = session(Map.of(), 10);
        Link link = attach(moved, true, 60, 65_535);
        moved.takenOverElsewhere(true, false);
        assertThat(onLoop(() -> moved.deliver(message("during", 1), 1, false, null, null, null)))
                .as("while it is handed over").isCompletedExceptionally();
        assertThat(link.takenOver).isTrue();
        moved.handedOver();
        // Routed to it before it left, by routes that may not know its new broker: its publisher must send it again.
        assertThat(onLoop(() -> moved.deliver(message("after", 1), 1, false, null, null, null)))
                .as("once handed over").isCompletedExceptionally();
        assertThat(onLoop(() -> moved.deliver(message("qos0", 0), 0, false, null, null, null))).isNull();
        assertThat(moved.isDurable()).as("routing on other loops still waits for its answer").isTrue();
        assertThat(metrics.droppedCount(BrokerMetrics.DropReason.SESSION_MOVED)).isEqualTo(3);

        registry.remove(moved);
        Session cleaned = session(Map.of(), 10);
        attach(cleaned, true, 60, 65_535);
        cleaned.takenOverElsewhere(false, false); // its client started clean there: the session is gone
        assertThat(onLoop(() -> cleaned.deliver(message("gone", 1), 1, false, null, null, null))).isNull();
        assertThat(cleaned.isDurable()).isFalse();
        assertThat(metrics.droppedCount(BrokerMetrics.DropReason.SESSION_ENDED)).isEqualTo(1);
    }
}
