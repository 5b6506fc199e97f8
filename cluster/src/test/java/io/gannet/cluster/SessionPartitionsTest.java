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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Where the session partitions belong as the members change, and where the log says they are (ADR 16, step 3):
 * rendezvous placement moves only what a joining or leaving node must, and the copies go through entries and
 * snapshots.
 */
class SessionPartitionsTest {
    private static final List<ClusterConfig.Node> FOUNDING = IntStream.rangeClosed(1, 3)
            .mapToObj(i -> new ClusterConfig.Node("n" + i, "10.0.0." + i, 7883, 7893)).toList();

    @Test
    void beforeAnyMoveTheCopiesAreTheFoundingPlacementOnEveryNode() {
        SessionPartitions partitions = new SessionPartitions(FOUNDING, 3);
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            assertThat(partitions.copies(p)).containsExactlyInAnyOrder("n1", "n2", "n3");
            assertThat(partitions.target(p, List.of("n1", "n2", "n3"))).containsExactlyInAnyOrderElementsOf(
                    partitions.copies(p));
        }
        SessionPartitions two = new SessionPartitions(FOUNDING, 2);
        assertThat(IntStream.range(0, SessionPartitions.COUNT).map(p -> two.copies(p).size()).distinct())
                .containsExactly(2);
    }

    @Test
    void aJoiningNodeTakesOnlyPlacesAndALeavingOneGivesUpOnlyItsOwn() {
        SessionPartitions partitions = new SessionPartitions(FOUNDING, 3);
        List<String> four = List.of("n1", "n2", "n3", "n4");
        int onN4 = 0;
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            Set<String> before = Set.copyOf(partitions.copies(p));
            Set<String> after = Set.copyOf(partitions.target(p, four));
            assertThat(after).hasSize(3);
            // Each partition changes by at most one node, and only towards n4.
            Set<String> added = new HashSet<>(after);
            added.removeAll(before);
            assertThat(added).isSubsetOf(Set.of("n4"));
            onN4 += added.size();
            // n1 leaves a four-node cluster: partitions without n1 stay where they are.
            List<String> withoutN1 = List.of("n2", "n3", "n4");
            if (!after.contains("n1")) {
                assertThat(Set.copyOf(partitions.target(p, withoutN1))).isEqualTo(after);
            }
        }
        assertThat(onN4).as("with eight partitions, n4 gets its share of copies").isBetween(3, 8);
    }

    @Test
    void aClusterSmallerThanItsFactorKeepsACopyOnEveryNode() {
        SessionPartitions partitions = new SessionPartitions(FOUNDING, 3);
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            assertThat(partitions.target(p, List.of("n2", "n3"))).containsExactlyInAnyOrder("n2", "n3");
        }
    }

    @Test
    void thePlacedCopiesComeFromTheLogAndGoThroughASnapshot() throws IOException {
        SessionPartitions partitions = new SessionPartitions(FOUNDING, 3);
        AppliedIndex applied = new AppliedIndex();
        MetadataStateMachine machine = new MetadataStateMachine(new RoutingTable(List.of()),
                new ReplicatedRetained("n1", null), new ClusterMembers(FOUNDING), partitions, change -> { },
                applied, new AnnouncedRoutes(applied));
        List<MetadataChange> changes = List.of(new MetadataChange.Placed(5, List.of("n4", "n2", "n3")));
        assertThat(MetadataChange.decode(MetadataChange.encode(changes))).isEqualTo(changes);
        changes.forEach(machine::apply);
        assertThat(partitions.copies(5)).containsExactly("n4", "n2", "n3");
        assertThat(partitions.isMember("n1", 5)).isFalse();
        assertThat(partitions.isMember("n4", 5)).isTrue();
        assertThat(partitions.place(5, List.of("n2", "n3", "n4"))).as("the same set again").isFalse();
        assertThat(partitions.place(5, List.of())).as("never none").isFalse();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        partitions.write(new DataOutputStream(bytes));
        SessionPartitions restored = new SessionPartitions(FOUNDING, 3);
        restored.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        List<List<String>> all = new ArrayList<>();
        List<List<String>> restoredAll = new ArrayList<>();
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            all.add(partitions.copies(p));
            restoredAll.add(restored.copies(p));
        }
        assertThat(restoredAll).isEqualTo(all);

        byte[] broken = bytes.toByteArray();
        broken[3] = 16; // sixteen partitions: another version's
        assertThatThrownBy(() -> new SessionPartitions(FOUNDING, 3).read(new DataInputStream(
                new ByteArrayInputStream(broken)))).isInstanceOf(IOException.class).hasMessageContaining("16");
    }

    /**
     * What {@code bin/gannet cluster remove} and {@code status} read: a line per partition with its copies and its
     * target over the members as the log has them, and a partition moving while the two differ.
     */
    @Test
    void thePartitionsQuerySaysWhereEachPartitionIsAndWhereItBelongs() throws Exception {
        SessionPartitions partitions = new SessionPartitions(FOUNDING, 3);
        ClusterMembers members = new ClusterMembers(FOUNDING);
        AppliedIndex applied = new AppliedIndex();
        MetadataStateMachine machine = new MetadataStateMachine(new RoutingTable(List.of()),
                new ReplicatedRetained("n1", null), members, partitions, change -> { }, applied,
                new AnnouncedRoutes(applied));
        assertThat(lines(machine)).hasSize(SessionPartitions.COUNT).allSatisfy(line -> {
            String[] f = line.split(" ");
            assertThat(Set.of(f[1].split(","))).as(line).isEqualTo(Set.of(f[2].split(",")))
                    .isEqualTo(Set.of("n1", "n2", "n3"));
        });

        // n3 leaves: every partition still names it among its copies, and belongs on the two nodes left.
        machine.apply(new MetadataChange.Leave("n3"));
        List<String> leaving = lines(machine);
        for (int p = 0; p < SessionPartitions.COUNT; p++) {
            String[] f = leaving.get(p).split(" ");
            assertThat(f[0]).isEqualTo(Integer.toString(p));
            assertThat(f[1].split(",")).as(leaving.get(p)).contains("n3");
            assertThat(f[2].split(",")).as(leaving.get(p)).containsExactlyInAnyOrder("n1", "n2");
        }
        machine.apply(new MetadataChange.Placed(2, List.of("n2", "n1")));
        assertThat(lines(machine).get(2)).isEqualTo("2 n2,n1 " + String.join(",", partitions.target(2,
                List.of("n1", "n2"))));

        assertThat(machine.query(org.apache.ratis.protocol.Message.valueOf("everything")))
                .failsWithin(java.time.Duration.ofSeconds(1)).withThrowableOfType(Exception.class)
                .withMessageContaining("'partitions'");
    }

    private static List<String> lines(MetadataStateMachine machine) throws Exception {
        return List.of(machine.query(org.apache.ratis.protocol.Message.valueOf(MetadataStateMachine.PARTITIONS_QUERY))
                .get().getContent().toStringUtf8().split("\n"));
    }
}
