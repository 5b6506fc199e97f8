package io.gannet.cluster;

import java.util.List;
import java.util.Set;

/**
 * One line of the metadata group's {@link MetadataStateMachine#PARTITIONS_QUERY} answer, as {@code bin/gannet
 * cluster} reads it: a session partition, the nodes that keep its copies, and those it belongs on.
 */
record PartitionPlace(int partition, List<String> copies, List<String> target) {
    /**
     * Reads one line: the partition's number, then its copies and its target, each comma-separated.
     *
     * @throws IllegalArgumentException for a line another version wrote
     */
    static PartitionPlace parse(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 3) {
            throw new IllegalArgumentException("an answer about the session partitions this version cannot read: '"
                    + line + "'");
        }
        return new PartitionPlace(Integer.parseInt(f[0]), List.of(f[1].split(",")), List.of(f[2].split(",")));
    }

    /** Whether the partition still moves: its copies are not yet on the nodes it belongs on. */
    boolean moving() {
        return moving(copies, target);
    }

    /** Whether a partition kept by {@code copies} still moves to {@code target}: the order of either is no matter. */
    static boolean moving(List<String> copies, List<String> target) {
        return !Set.copyOf(copies).equals(Set.copyOf(target));
    }

    @Override
    public String toString() {
        return partition + ": " + String.join(",", copies) + (moving() ? " -> " + String.join(",", target) : "");
    }
}
