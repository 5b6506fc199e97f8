package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkFramesTest {
    private static final long NOW = 1_000_000L;

    private static Message roundTrip(Message m, RecentStrings strings, long receivedAt) {
        ByteBuf buf = Unpooled.buffer();
        try {
            byte[] props = LinkFrames.properties(m);
            SharedPicks none = new SharedPicks(0);
            LinkFrames.writePublish(buf, m, props, NOW, true, true, 1234, none, 1);
            int length = buf.readInt();
            assertThat(length).isEqualTo(buf.readableBytes());
            assertThat(LinkFrames.publishSizeBound(m, props, none, 1)).isGreaterThanOrEqualTo(length + 4);
            assertThat(buf.readByte()).isEqualTo(LinkFrames.PUBLISH);
            Message back = LinkFrames.readPublish(buf, strings, receivedAt);
            assertThat(LinkFrames.readTargets(buf)).isEqualTo(LinkFrames.PLAIN | LinkFrames.DURABLE);
            assertThat(LinkFrames.readRoutedAt(buf)).as("the index of the routes it was sent by").isEqualTo(1234);
            assertThat(LinkFrames.readGroupCount(buf)).isZero();
            assertThat(buf.readableBytes()).isZero();
            return back;
        } finally {
            buf.release();
        }
    }

    @Test
    void aMessageCrossesWithItsPropertiesAndTheTimeItHasLeft() {
        MqttProperties props = MqttProperties.builder().string(PropertyId.CONTENT_TYPE, "text/plain")
                .userProperty("unit", "door-7").build();
        Message m = new Message("héllo/wörld", 2, true, "payload".getBytes(StandardCharsets.UTF_8), props,
                "client-ü", NOW + 30_000);
        // The receiving node's clock is 5 s behind: the message still has its 30 s from the moment it arrives.
        Message back = roundTrip(m, new RecentStrings(), NOW - 5_000);
        assertThat(back.topic()).isEqualTo(m.topic());
        assertThat(back.qos()).isEqualTo(2);
        assertThat(back.retain()).isTrue();
        assertThat(back.payload()).isEqualTo(m.payload());
        assertThat(back.properties()).isEqualTo(props);
        assertThat(back.publisherId()).isEqualTo("client-ü");
        assertThat(back.expiresAtMillis()).isEqualTo(NOW - 5_000 + 30_000);
    }

    @Test
    void aMessageWithoutExpiryOrPropertiesStaysWithout() {
        Message m = new Message("a/b", 0, false, new byte[0], MqttProperties.EMPTY, "p");
        Message back = roundTrip(m, new RecentStrings(), NOW);
        assertThat(back.expiresAtMillis()).isZero();
        assertThat(back.properties().isEmpty()).isTrue();
        assertThat(back.payload()).isEmpty();
    }

    @Test
    void aLinksRecentStringsAreReusedAndCollisionsStillReadTheRightOne() {
        RecentStrings strings = new RecentStrings();
        String first = roundTrip(new Message("t/1", 0, false, new byte[1], MqttProperties.EMPTY, "p"), strings, NOW)
                .topic();
        String again = roundTrip(new Message("t/1", 0, false, new byte[1], MqttProperties.EMPTY, "p"), strings, NOW)
                .topic();
        assertThat(again).isSameAs(first);
        // Far more topics than slots: every one still reads back as itself.
        for (int i = 0; i < 2000; i++) {
            String topic = "sensors/" + i + "/t";
            assertThat(roundTrip(new Message(topic, 0, false, new byte[1], MqttProperties.EMPTY, "p" + i), strings,
                    NOW).topic()).isEqualTo(topic);
        }
    }

    @Test
    void aFrameNamesOnlyTheSharedGroupsPlacedWithItsNode() {
        RoutingTable table = new RoutingTable(List.of(new NodeRef("n0", 0), new NodeRef("n1", 1),
                new NodeRef("n2", 2)));
        table.add("n1", "$share/workers/jobs/+");
        table.add("n2", "$share/audit/jobs/#");
        table.add("n1", "$share/ünïcode/jobs/+");
        SharedPicks picks = new SharedPicks(0);
        table.matchShared("jobs/7", picks);
        assertThat(picks.count()).isEqualTo(3);
        assertThat(picks.otherNodes()).isEqualTo(0b110);
        Message m = new Message("jobs/7", 1, false, new byte[3], MqttProperties.EMPTY, "p");
        ByteBuf buf = Unpooled.buffer();
        try {
            LinkFrames.writePublish(buf, m, null, NOW, false, false, 0, picks, 1);
            int length = buf.readInt();
            assertThat(LinkFrames.publishSizeBound(m, null, picks, 1)).isGreaterThanOrEqualTo(length + 4);
            buf.readByte();
            RecentStrings strings = new RecentStrings();
            LinkFrames.readPublish(buf, strings, NOW);
            assertThat(LinkFrames.readTargets(buf)).isZero();
            LinkFrames.readRoutedAt(buf);
            int groups = LinkFrames.readGroupCount(buf);
            List<String> named = new java.util.ArrayList<>();
            for (int i = 0; i < groups; i++) {
                named.add(strings.read(buf) + " " + strings.read(buf));
            }
            assertThat(named).containsExactlyInAnyOrder("workers jobs/+", "ünïcode jobs/+");
            assertThat(buf.readableBytes()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void aSharedGroupTakesTurnsAmongTheNodesWithMembersAndGoesWithTheLast() {
        RoutingTable table = new RoutingTable(List.of(new NodeRef("n0", 0), new NodeRef("n1", 1),
                new NodeRef("n2", 2)));
        table.add("n0", "$share/g/t/#");
        table.add("n2", "$share/g/t/#");
        table.add("n1", "t/#"); // a plain subscriber of the same filter is another matter
        java.util.Map<Integer, Integer> turns = new java.util.TreeMap<>();
        for (int i = 0; i < 10; i++) {
            SharedPicks picks = new SharedPicks(0);
            table.matchShared("t/x", picks);
            assertThat(picks.count()).isEqualTo(1);
            turns.merge(picks.node(0), 1, Integer::sum);
        }
        assertThat(turns).containsExactly(java.util.Map.entry(0, 5), java.util.Map.entry(2, 5));
        assertThat(table.sharedGroups()).isEqualTo(1);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.copy()).containsEntry("n0", new java.util.TreeSet<>(List.of("$share/g/t/#")));

        table.remove("n0", "$share/g/t/#");
        SharedPicks picks = new SharedPicks(0);
        table.matchShared("t/x", picks);
        assertThat(picks.node(0)).isEqualTo(2);
        table.remove("n2", "$share/g/t/#");
        picks = new SharedPicks(0);
        table.matchShared("t/x", picks);
        assertThat(picks.count()).isZero();
        assertThat(table.sharedGroups()).isZero();

        table.replace("n1", List.of("$share/g/t/#"));
        table.replaceAll(java.util.Map.of());
        assertThat(table.sharedGroups()).isZero();
        assertThat(table.size()).isZero();
    }

    @Test
    void aSnapshotReplacesTheTableNodeByNodeAndWhatBothHaveStays() throws InterruptedException {
        RoutingTable table = new RoutingTable(List.of(new NodeRef("n0", 0), new NodeRef("n1", 1), new NodeRef("n2", 2)));
        table.replace("n0", List.of("a/#", "c", "$durable/a/#"));
        table.replace("n2", List.of("x"));
        NodeRef n0 = table.node("n0");
        // A router on another thread matches throughout: the entry both have is never missing.
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger misses = new java.util.concurrent.atomic.AtomicInteger();
        Thread router = new Thread(() -> {
            while (!stop.get()) {
                java.util.concurrent.atomic.AtomicBoolean found = new java.util.concurrent.atomic.AtomicBoolean();
                table.match("a/b", n -> found.set(found.get() || n.equals(n0)));
                if (!found.get()) {
                    misses.incrementAndGet();
                }
            }
        });
        router.start();
        try {
            for (int i = 0; i < 200; i++) {
                table.replaceAll(java.util.Map.of("n0", List.of("a/#", "b", "$durable/a/#"), "n1", List.of("y")));
                table.replaceAll(java.util.Map.of("n0", List.of("a/#", "c", "$durable/a/#"), "n2", List.of("x")));
            }
            table.replaceAll(java.util.Map.of("n0", List.of("a/#", "b", "$durable/a/#"), "n1", List.of("y")));
        } finally {
            stop.set(true);
            router.join();
        }
        assertThat(misses.get()).isZero();
        assertThat(table.copy()).containsExactly(
                java.util.Map.entry("n0", new java.util.TreeSet<>(List.of("$durable/a/#", "a/#", "b"))),
                java.util.Map.entry("n1", new java.util.TreeSet<>(List.of("y"))));
    }

    @Test
    void aTruncatedFrameIsRefusedNotReadPastItsEnd() {
        ByteBuf buf = Unpooled.buffer();
        try {
            LinkFrames.writePublish(buf, new Message("a/b", 1, false, new byte[100], MqttProperties.EMPTY, "p"), null,
                    NOW, true, false, 0, new SharedPicks(0), 1);
            buf.skipBytes(5); // the length and the type
            ByteBuf truncated = buf.readSlice(30);
            assertThatThrownBy(() -> LinkFrames.readPublish(truncated, new RecentStrings(), NOW))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void aMovedFrameNamesTheClientWithItsLength() {
        ByteBuf buf = Unpooled.buffer();
        try {
            LinkFrames.writeMoved(buf, "device-ü-7", 77);
            assertThat(buf.readInt()).isEqualTo(buf.readableBytes());
            assertThat(buf.readByte()).isEqualTo(LinkFrames.MOVED);
            assertThat(LinkFrames.readMoved(buf)).isEqualTo(new LinkFrames.Moved("device-ü-7", 77));
            assertThat(buf.readableBytes()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void aConnectedFrameSaysWhoConnectedWhenAndWithWhichSession() {
        ByteBuf buf = Unpooled.buffer();
        try {
            LinkFrames.writeConnected(buf, "device-ü-8", 1_764_800_000_123L, true);
            assertThat(buf.readInt()).isEqualTo(buf.readableBytes());
            assertThat(buf.readByte()).isEqualTo(LinkFrames.CONNECTED);
            assertThat(LinkFrames.readConnected(buf))
                    .isEqualTo(new LinkFrames.Connected("device-ü-8", 1_764_800_000_123L, true));
            assertThat(buf.readableBytes()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void routeChangesTravelInOneEntryInOrder() {
        List<MetadataChange> changes = List.of(new MetadataChange.Replace("n1", List.of("a/#", "b/+")),
                new MetadataChange.Add("n2", "c"), new MetadataChange.Remove("n1", "a/#"),
                new MetadataChange.Clear("n2", "status/x"));
        assertThat(MetadataChange.decode(MetadataChange.encode(changes))).isEqualTo(changes);
        RoutingTable table = new RoutingTable(List.of(new NodeRef("n1", 0), new NodeRef("n2", 1)));
        ReplicatedRetained retained = new ReplicatedRetained("n1", null);
        AppliedIndex applied = new AppliedIndex();
        MetadataStateMachine machine = new MetadataStateMachine(table, retained, new ClusterMembers(List.of()),
                new SessionPartitions(List.of(), 1), change -> { }, applied, new AnnouncedRoutes(applied));
        for (MetadataChange c : changes) {
            machine.apply(c);
        }
        assertThat(table.filtersOf("n1")).containsExactly("b/+");
        assertThat(table.filtersOf("n2")).containsExactly("c");
        machine.apply(new MetadataChange.Replace("n1", List.of()));
        assertThat(table.filtersOf("n1")).isEmpty();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aRetainedMessageCrossesInAnEntryWithItsPropertiesAndExpiry() {
        MqttProperties props = MqttProperties.builder().userProperty("unit", "door-7").build();
        Message m = new Message("status/door", 1, true, "open".getBytes(StandardCharsets.UTF_8), props, "c1",
                NOW + 60_000);
        MetadataChange.Retain back = (MetadataChange.Retain) MetadataChange.decode(
                MetadataChange.encode(List.of(new MetadataChange.Retain("n1", m)))).get(0);
        assertThat(back.node()).isEqualTo("n1");
        assertThat(back.message().topic()).isEqualTo("status/door");
        assertThat(back.message().payload()).isEqualTo(m.payload());
        assertThat(back.message().properties()).isEqualTo(props);
        assertThat(back.message().expiresAtMillis()).isEqualTo(NOW + 60_000);
        assertThat(back.message().retain()).isTrue();
    }

    @Test
    void anEntryOfAnotherFormatIsRefused() {
        byte[] entry = MetadataChange.encode(List.of(new MetadataChange.Add("n1", "a")));
        entry[0] = 9;
        assertThatThrownBy(() -> MetadataChange.decode(entry)).hasMessageContaining("format 9");
        byte[] truncated = java.util.Arrays.copyOf(MetadataChange.encode(List.of(new MetadataChange.Retain("n1",
                new Message("t", 0, true, new byte[50], MqttProperties.EMPTY, "c")))), 30);
        assertThatThrownBy(() -> MetadataChange.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }
}
