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
            LinkFrames.writePublish(buf, m, props, NOW);
            int length = buf.readInt();
            assertThat(length).isEqualTo(buf.readableBytes());
            assertThat(LinkFrames.publishSizeBound(m, props)).isGreaterThanOrEqualTo(length + 4);
            assertThat(buf.readByte()).isEqualTo(LinkFrames.PUBLISH);
            Message back = LinkFrames.readPublish(buf, strings, receivedAt);
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
    void aTruncatedFrameIsRefusedNotReadPastItsEnd() {
        ByteBuf buf = Unpooled.buffer();
        try {
            LinkFrames.writePublish(buf, new Message("a/b", 1, false, new byte[100], MqttProperties.EMPTY, "p"), null,
                    NOW);
            buf.skipBytes(5); // the length and the type
            ByteBuf truncated = buf.readSlice(30);
            assertThatThrownBy(() -> LinkFrames.readPublish(truncated, new RecentStrings(), NOW))
                    .isInstanceOf(IllegalArgumentException.class);
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
        MetadataStateMachine machine = new MetadataStateMachine(table, retained);
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
