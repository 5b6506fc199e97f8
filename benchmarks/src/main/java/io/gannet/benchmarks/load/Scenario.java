package io.gannet.benchmarks.load;

import java.util.ArrayList;
import java.util.List;

/** The shapes of load the generator knows: who publishes where, who subscribes to what. */
enum Scenario {
    /** N publisher/subscriber pairs, each pair on its own topic. */
    PAIRS,
    /** N publishers on distinct topics, one subscriber on a wildcard over all of them. */
    FANIN,
    /**
     * N publishers on distinct topics and no subscriber: for what consumes the messages inside the broker, such as
     * the Kafka bridge. The rate is the publishers'; at QoS 1 and 2 their in-flight window paces them.
     */
    PUBLISH,
    /** One publisher, N subscribers on its topic. */
    FANOUT,
    /** N publishers, one shared-subscription group of M members. */
    SHARED,
    /** N idle connections, opened at a given rate and held. */
    CONNS;

    /**
     * The connections of a run.
     *
     * @param subscribers the deliveries per message follow from them: see {@link #deliveriesPerMessage}
     */
    record Plan(List<BenchConnection.Role> subscribers, List<BenchConnection.Role> publishers) {
    }

    Plan plan(int clients, int groupMembers, String run) {
        List<BenchConnection.Role> subs = new ArrayList<>();
        List<BenchConnection.Role> pubs = new ArrayList<>();
        String base = "gannet-bench/" + run + "/";
        switch (this) {
            case PAIRS -> {
                for (int i = 0; i < clients; i++) {
                    subs.add(new BenchConnection.Role("gb-" + run + "-s" + i, null, base + i));
                    pubs.add(new BenchConnection.Role("gb-" + run + "-p" + i, ClientCodec.utf8(base + i), null));
                }
            }
            case FANIN -> {
                subs.add(new BenchConnection.Role("gb-" + run + "-s0", null, base + "+"));
                for (int i = 0; i < clients; i++) {
                    pubs.add(new BenchConnection.Role("gb-" + run + "-p" + i, ClientCodec.utf8(base + i), null));
                }
            }
            case PUBLISH -> {
                for (int i = 0; i < clients; i++) {
                    pubs.add(new BenchConnection.Role("gb-" + run + "-p" + i, ClientCodec.utf8(base + i), null));
                }
            }
            case FANOUT -> {
                for (int i = 0; i < clients; i++) {
                    subs.add(new BenchConnection.Role("gb-" + run + "-s" + i, null, base + "all"));
                }
                pubs.add(new BenchConnection.Role("gb-" + run + "-p0", ClientCodec.utf8(base + "all"), null));
            }
            case SHARED -> {
                for (int i = 0; i < groupMembers; i++) {
                    subs.add(new BenchConnection.Role("gb-" + run + "-s" + i, null, "$share/gb/" + base + "+"));
                }
                for (int i = 0; i < clients; i++) {
                    pubs.add(new BenchConnection.Role("gb-" + run + "-p" + i, ClientCodec.utf8(base + i), null));
                }
            }
            case CONNS -> {
                for (int i = 0; i < clients; i++) {
                    subs.add(new BenchConnection.Role("gb-" + run + "-c" + i, null, null));
                }
            }
        }
        return new Plan(subs, pubs);
    }

    /** How many deliveries each message published should make. */
    int deliveriesPerMessage(int clients) {
        return this == FANOUT ? clients : this == PUBLISH ? 0 : 1;
    }
}
