package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.config.ClusterConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The members as the metadata log has them: the founding nodes, joins and leaves in log order, places never given
 * twice, and the list through a snapshot. The first step of adding and removing nodes at run time (ADR 16).
 */
class ClusterMembersTest {
    private static final List<ClusterConfig.Node> FOUNDING = List.of(
            new ClusterConfig.Node("n1", "10.0.0.1", 7883, 7893),
            new ClusterConfig.Node("n2", "10.0.0.2", 7883, 7893),
            new ClusterConfig.Node("n3", "10.0.0.3", 7883, 7893));

    @Test
    void theFoundingNodesTakeTheFirstPlacesAndAJoinTheNext() {
        ClusterMembers members = new ClusterMembers(FOUNDING);
        assertThat(members.list()).extracting(ClusterMembers.Member::place).containsExactly(0, 1, 2);
        ClusterMembers.Member n4 = members.join(new MetadataChange.Join("n4", "10.0.0.4", 7883, 7893));
        assertThat(n4.place()).isEqualTo(3);
        assertThat(n4.node()).isEqualTo(new ClusterConfig.Node("n4", "10.0.0.4", 7883, 7893));
        // Proposed twice (a command run again): the second changes nothing.
        assertThat(members.join(new MetadataChange.Join("n4", "10.0.0.9", 1, 2))).isNull();
        assertThat(members.get("n4").host()).isEqualTo("10.0.0.4");
        assertThat(members.join(new MetadataChange.Join("n1", "10.0.0.1", 7883, 7893))).isNull();
    }

    @Test
    void aPlaceIsNeverGivenTwiceNotEvenToANodeThatJoinsAgain() {
        ClusterMembers members = new ClusterMembers(FOUNDING);
        assertThat(members.leave("n2").place()).isEqualTo(1);
        assertThat(members.leave("n2")).isNull();
        assertThat(members.join(new MetadataChange.Join("n2", "10.0.0.2", 7883, 7893)).place()).isEqualTo(3);
        assertThat(members.join(new MetadataChange.Join("n5", "10.0.0.5", 7883, 7893)).place()).isEqualTo(4);
        assertThat(members.list()).extracting(ClusterMembers.Member::id).containsExactly("n1", "n3", "n2", "n5");
    }

    @Test
    void aClusterHasAsManyPlacesAsARoutingMaskHasBits() {
        ClusterMembers members = new ClusterMembers(FOUNDING);
        for (int i = 4; members.placesGiven() < ClusterMembers.MAX_PLACES; i++) {
            assertThat(members.join(new MetadataChange.Join("n" + i, "h", 1, 2))).isNotNull();
            members.leave("n" + i);
        }
        assertThat(members.join(new MetadataChange.Join("late", "h", 1, 2))).isNull();
        assertThat(members.get("late")).isNull();
    }

    @Test
    void theMembersAndTheNextPlaceGoThroughASnapshot() throws IOException {
        ClusterMembers members = new ClusterMembers(FOUNDING);
        members.leave("n1");
        members.join(new MetadataChange.Join("n4", "10.0.0.4", 7884, 7894));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        members.write(new DataOutputStream(bytes));

        ClusterMembers restored = new ClusterMembers(FOUNDING);
        restored.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.list()).isEqualTo(members.list());
        assertThat(restored.placesGiven()).isEqualTo(4);
        assertThat(restored.join(new MetadataChange.Join("n5", "h", 1, 2)).place()).isEqualTo(4);

        byte[] broken = bytes.toByteArray();
        broken[3] = 2; // two places given, for three members
        assertThatThrownBy(() -> new ClusterMembers(FOUNDING).read(new DataInputStream(
                new ByteArrayInputStream(broken)))).isInstanceOf(IOException.class);
    }

    @Test
    void theLogRoutesToAJoinedNodeByItsPlaceAndDropsTheRoutesOfOneThatLeft() {
        RoutingTable table = foundingTable();
        List<MetadataChange> heard = new ArrayList<>();
        MetadataStateMachine machine = machine(table, heard::add, new AppliedIndex());
        List<MetadataChange> changes = List.of(new MetadataChange.Join("n4", "10.0.0.4", 7883, 7893),
                new MetadataChange.Add("n4", "sensors/#"), new MetadataChange.Leave("n2"),
                new MetadataChange.Join("n4", "10.0.0.4", 7883, 7893));
        assertThat(MetadataChange.decode(MetadataChange.encode(changes))).isEqualTo(changes);
        machine.apply(new MetadataChange.Add("n2", "sensors/+"));
        for (MetadataChange c : changes) {
            machine.apply(c);
        }
        List<NodeRef> matched = new ArrayList<>();
        table.match("sensors/1", matched::add);
        assertThat(matched).containsExactly(new NodeRef("n4", 3));
        // The second join of n4 changed nothing, and was not passed on.
        assertThat(heard).containsExactly(changes.get(0), changes.get(2));
    }

    @Test
    void aNodeThatLeftKeepsItsDurableRoutesUntilEveryPartitionAdoptedItsSessions() {
        RoutingTable table = foundingTable();
        MetadataStateMachine machine = machine(table, change -> { }, new AppliedIndex());
        machine.apply(new MetadataChange.Join("n4", "10.0.0.4", 7883, 7893));
        machine.apply(new MetadataChange.Add("n4", "plain/#"));
        machine.apply(new MetadataChange.Add("n4", RoutingTable.DURABLE_PREFIX + "kept/#"));
        machine.apply(new MetadataChange.Leave("n4"));

        List<NodeRef> plain = new ArrayList<>();
        table.match("plain/1", plain::add);
        assertThat(plain).as("its clean sessions left with it").isEmpty();
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            List<NodeRef> durable = new ArrayList<>();
            table.matchDurable("kept/1", durable::add);
            // Until its sessions are adopted, a message for them fails rather than reach nobody.
            assertThat(durable).as("after %d adoptions", p).extracting(NodeRef::id).containsExactly("n4");
            machine.apply(new MetadataChange.Adopted("n" + (1 + p % 3), "n4", p));
        }
        List<NodeRef> durable = new ArrayList<>();
        table.matchDurable("kept/1", durable::add);
        assertThat(durable).isEmpty();
    }

    @Test
    void aNodeFoundDownWhileItRunsKeepsTheRoutesItAnnouncedSinceOnceItsSessionsAreAdopted() {
        // CI, SessionPartitionTest: n3 was found down while it ran, re-announced its routes and took a moving session
        // back; the last adoption of its old sessions then wiped every route of n3, and n2 sent that session's
        // messages to n1's other subscriber alone for its whole stay.
        RoutingTable table = foundingTable();
        MetadataStateMachine machine = machine(table, change -> { }, new AppliedIndex());
        String node = FOUNDING.get(2).id();
        machine.apply(new MetadataChange.Add(node, "old/#"));
        machine.apply(new MetadataChange.Add(node, RoutingTable.DURABLE_PREFIX + "old/#"));
        machine.apply(new MetadataChange.Liveness(node, true));
        // It hears that it was found down and announces what it has now; then a session arrives, and one leaves.
        machine.apply(new MetadataChange.Replace(node, List.of("old/#", RoutingTable.DURABLE_PREFIX + "old/#")));
        machine.apply(new MetadataChange.Add(node, "move/#"));
        machine.apply(new MetadataChange.Add(node, RoutingTable.DURABLE_PREFIX + "move/#"));
        machine.apply(new MetadataChange.Remove(node, "old/#"));
        machine.apply(new MetadataChange.Remove(node, RoutingTable.DURABLE_PREFIX + "old/#"));
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            machine.apply(new MetadataChange.Adopted("n1", node, p));
        }
        assertThat(table.filtersOf(node)).containsExactlyInAnyOrder("move/#", RoutingTable.DURABLE_PREFIX + "move/#");

        // A node that announced nothing since it was found down loses every route once its sessions are adopted.
        machine.apply(new MetadataChange.Liveness(node, true));
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            machine.apply(new MetadataChange.Adopted("n1", node, p));
        }
        assertThat(table.filtersOf(node)).isEmpty();
    }

    @Test
    void aNodesWordOnItsRoutesHoldsOnlyOnceItHasAnnouncedThemAgainAfterItWasFoundDown() {
        // FlappingNodeTest: n3, found down while it ran, took back a session whose filter it still counted (the
        // session's old stay there was being handed over), so it announced nothing, and said its routes were
        // committed as of an index from before it was found down. The last adoption had dropped them by then, and
        // n2, which had let go of the session on that word, acknowledged its messages with only n1's subscriber.
        RoutingTable table = foundingTable();
        AppliedIndex applied = new AppliedIndex();
        AnnouncedRoutes routes = new AnnouncedRoutes(applied);
        MetadataStateMachine machine = new MetadataStateMachine(table, new ReplicatedRetained("n1", null),
                new ClusterMembers(FOUNDING), new SessionPartitions(FOUNDING, 3), change -> { }, applied, routes);
        String node = FOUNDING.get(2).id();
        machine.apply(new MetadataChange.Add(node, RoutingTable.DURABLE_PREFIX + "move/#"));
        applied.advance(1);
        assertThat(routes.reached(node, 1)).isDone();

        machine.apply(new MetadataChange.Liveness(node, true));
        applied.advance(2);
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            machine.apply(new MetadataChange.Adopted("n1", node, p));
        }
        applied.advance(3);
        assertThat(table.filtersOf(node)).isEmpty();
        var handedOver = routes.reached(node, 1);
        assertThat(handedOver).as("applied past its word, but its routes were dropped since").isNotDone();
        assertThat(routes.reached("n1", 1)).as("another node's word").isDone();

        machine.apply(new MetadataChange.Replace(node, List.of(RoutingTable.DURABLE_PREFIX + "move/#")));
        applied.advance(4);
        assertThat(handedOver).isDone();
        assertThat(table.filtersOf(node)).containsExactly(RoutingTable.DURABLE_PREFIX + "move/#");
        assertThat(routes.reached(node, 4)).isDone();
    }

    private static MetadataStateMachine machine(RoutingTable table,
                                                java.util.function.Consumer<MetadataChange> heard,
                                                AppliedIndex applied) {
        return new MetadataStateMachine(table, new ReplicatedRetained("n1", null), new ClusterMembers(FOUNDING),
                new SessionPartitions(FOUNDING, 3), heard, applied, new AnnouncedRoutes(applied));
    }

    /** A routing table that knows the founding nodes, at their places. */
    private static RoutingTable foundingTable() {
        List<NodeRef> refs = new ArrayList<>();
        for (int i = 0; i < FOUNDING.size(); i++) {
            refs.add(new NodeRef(FOUNDING.get(i).id(), i));
        }
        return new RoutingTable(refs);
    }
}
