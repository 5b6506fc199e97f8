package io.gannet.cluster;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.config.ConfigException;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * {@code bin/gannet cluster add|remove}: changes the members of a running cluster. Run with a member's configuration
 * (the command reads {@code cluster.nodes} to reach the metadata group, and {@code cluster.tls-*}).
 *
 * <p>{@code add <id> <host> <port> <raft-port>}: the new node must be started first, with its own entry marked
 * {@code joined: true}, and waits to be added. Two operations of the metadata group, in this order:
 * <ol>
 *   <li>Ratis adds the node to the group's configuration ({@code setConfiguration} in {@code ADD} mode): the leader
 *   sends it the log or a snapshot and makes it a voter once it has caught up. A node that is not running, or not
 *   reachable, fails this step and nothing has changed.</li>
 *   <li>A {@link MetadataChange.Join} gives it its place in the cluster. As every node applies it, they link to the
 *   new node and route to it; the new node, applying it too, opens its MQTT listeners.</li>
 * </ol>
 *
 * <p>{@code remove <id>}: a node, running or stopped. A {@link MetadataChange.Leave}: every node drops its routes
 * and links, and the leaders of the session partitions adopt the sessions it owned, as for a node found down; the
 * node itself, if it runs, stops as it applies its leave, and its clients resume their sessions elsewhere. The
 * partitions it kept copies of move to the nodes left ({@link PartitionMover}). Once it no longer answers, Ratis
 * drops it from the metadata group's configuration, so that the majority is counted over the nodes that are left.
 * The command then waits, up to {@link #MOVE_SECONDS}, until every session partition is kept where it belongs among
 * the nodes left: only then does each have all its copies again, and may the node's machine go.
 *
 * <p>{@code status}: the members as the metadata log has them (place, id, addresses), where each session partition
 * is kept (and where it moves, if it does), and the metadata group's Raft configuration as its leader sees it, with
 * how long ago the leader last heard from each other node.
 *
 * <p>Each step is safe to repeat, so a command cut short is simply run again.
 */
public final class ClusterCommand {
    /** The longest the command waits for each step. */
    private static final long STEP_SECONDS = 60;
    /** The longest {@code remove} waits for the session partitions to move to the nodes left. */
    private static final long MOVE_SECONDS = 300;
    /** The longest the command waits for one node to describe the group. */
    private static final long INFO_SECONDS = 5;
    private static final String USAGE = "usage: gannet [--config <file>] cluster add <id> <host> <port> <raft-port>\n"
            + "       gannet [--config <file>] cluster remove <id>\n"
            + "       gannet [--config <file>] cluster status";

    private ClusterCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** @return the exit status: 0 done, 1 failed, 2 a usage error */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path configFile = null;
        int i = 0;
        if (args.length >= 2 && args[0].equals("--config")) {
            configFile = Path.of(args[1]);
            i = 2;
        }
        List<String> rest = List.of(args).subList(i, args.length);
        String command = rest.isEmpty() ? "" : rest.get(0);
        if (!(command.equals("add") && rest.size() == 5 || command.equals("remove") && rest.size() == 2
                || command.equals("status") && rest.size() == 1)) {
            err.println(List.of("", "add", "remove", "status").contains(command) ? USAGE
                    : "gannet cluster: unknown command '" + command + "'\n" + USAGE);
            return 2;
        }
        ClusterConfig.Node node = null;
        try {
            if (command.equals("add")) {
                node = new ClusterConfig.Node(nodeId(rest.get(1)), rest.get(2), port("port", rest.get(3)),
                        port("raft-port", rest.get(4)), true);
            } else if (command.equals("remove")) {
                nodeId(rest.get(1));
            }
        } catch (IllegalArgumentException e) {
            err.println("gannet cluster " + command + ": " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        try {
            GannetConfig config = load(configFile);
            Path home = Path.of(System.getProperty("gannet.home", ".")).toAbsolutePath().normalize();
            ClusterTls tls = ClusterTls.open(config.cluster().tls(), home);
            if (node != null) {
                add(config.cluster(), tls, node, out);
            } else if (command.equals("remove")) {
                remove(config.cluster(), tls, rest.get(1), out);
            } else {
                status(config.cluster(), tls, out);
            }
            return 0;
        } catch (ConfigException e) {
            err.println("gannet cluster " + command + ": invalid configuration: " + e.getMessage());
            return 1;
        } catch (CommandFailed e) {
            err.println("gannet cluster " + command + ": " + e.getMessage());
            return 1;
        }
    }

    private static GannetConfig load(Path file) {
        if (file == null) {
            throw new ConfigException("no --config given: the command reads cluster.nodes from a member's "
                    + "configuration");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("the configuration file " + file + " does not exist");
        }
        GannetConfig config = ConfigLoader.load(file);
        if (!config.cluster().enabled()) {
            throw new ConfigException("cluster.enabled: false in " + file + "; run the command with the "
                    + "configuration of a cluster node");
        }
        return config;
    }

    private static void add(ClusterConfig cluster, ClusterTls tls, ClusterConfig.Node node, PrintStream out) {
        List<ClusterConfig.Node> others = cluster.nodes().stream().filter(n -> !n.id().equals(node.id())).toList();
        if (others.isEmpty()) {
            throw new CommandFailed("cluster.nodes lists no node but " + node.id() + " to reach the cluster through");
        }
        if (!answers(node)) {
            // Checked first: Ratis would wait for it to catch up until the step's time ran out.
            throw new CommandFailed("adding " + node.id() + " to the Raft group: nothing answers on " + node.host()
                    + ":" + node.raftPort() + "; start the node first, with its own entry in cluster.nodes marked "
                    + "joined: true");
        }
        RaftGroup group = RaftGroup.valueOf(MetadataGroup.GROUP_ID, MetadataGroup.peers(others));
        RaftClient client = MetadataGroup.newClient(group, tls);
        try {
            out.println("Adding node " + node.id() + " (" + node.host() + ", port " + node.port() + ", raft-port "
                    + node.raftPort() + ") to the cluster's Raft group; it must be running and reachable");
            RaftClientReply reply = step("adding " + node.id() + " to the Raft group",
                    io(() -> client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                            .setServersInNewConf(List.of(MetadataGroup.peer(node)))
                            .setMode(SetConfigurationRequest.Mode.ADD).build())));
            check(reply, "adding " + node.id() + " to the Raft group");
            byte[] join = MetadataChange.encode(List.of(
                    new MetadataChange.Join(node.id(), node.host(), node.port(), node.raftPort())));
            reply = step("proposing the join of " + node.id(),
                    client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(join))));
            check(reply, "proposing the join of " + node.id());
            out.println("Node " + node.id() + " is a member of the cluster. Add it to cluster.nodes of every node, "
                    + "after the nodes listed there now:\n  - {id: " + node.id() + ", host: " + node.host()
                    + ", port: " + node.port() + ", raft-port: " + node.raftPort() + ", joined: true}");
            long moving = placement(client).stream().filter(PartitionPlace::moving).count();
            out.println(moving + " of " + SessionPartitions.COUNT + " session partitions move to take in " + node.id()
                    + (moving > 0 ? " now; 'bin/gannet cluster status' follows them" : ""));
        } finally {
            // Its calls retry without end; one cut short by the step's wait must not keep the command alive.
            MetadataGroup.closeClient(client, "the metadata group");
        }
    }

    private static void remove(ClusterConfig cluster, ClusterTls tls, String id, PrintStream out) {
        ClusterConfig.Node node = cluster.nodes().stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new CommandFailed("cluster.nodes does not list node " + id + "; run the command "
                        + "with a configuration that lists it (with joined: true)"));
        List<ClusterConfig.Node> others = cluster.nodes().stream().filter(n -> !n.id().equals(id)).toList();
        RaftGroup group = RaftGroup.valueOf(MetadataGroup.GROUP_ID, MetadataGroup.peers(others));
        RaftClient client = MetadataGroup.newClient(group, tls);
        try {
            byte[] leave = MetadataChange.encode(List.of(new MetadataChange.Leave(id)));
            check(step("proposing that " + id + " leaves",
                    client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(leave)))),
                    "proposing that " + id + " leaves");
            out.println("Node " + id + " left the cluster: the others dropped its routes and adopt its sessions");
            awaitStopped(node, out);
            List<RaftPeer> current = currentPeers(client, others);
            if (current.stream().anyMatch(p -> p.getId().toString().equals(id))) {
                List<RaftPeer> after = current.stream().filter(p -> !p.getId().toString().equals(id)).toList();
                String what = "removing " + id + " from the Raft group";
                check(step(what, io(() -> client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(current).setServersInNewConf(after)
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET).build()))), what);
            }
            out.println("Node " + id + " is out of the cluster's Raft group");
            awaitMoved(client, id, out);
            if (node.joined()) {
                out.println("Remove its entry from cluster.nodes of every node, and delete its cluster.directory "
                        + "before it is used again.");
            } else {
                // A founding node's place is its position among the founding nodes of the list.
                out.println("Keep its entry in cluster.nodes of every node (a founding node's place in the cluster "
                        + "is its position in the list), and delete its cluster.directory before the machine is "
                        + "used again: as a node it needs a new id, added with bin/gannet cluster add.");
            }
        } finally {
            MetadataGroup.closeClient(client, "the metadata group");
        }
    }

    /**
     * Waits until every session partition is kept where it belongs among the nodes left, none by {@code id}, saying
     * so each time the number still moving changes. Until then a partition that {@code id} kept has a copy fewer than
     * the factor, and the machine should stay as it is. Interrupting the command does not stop the moves.
     */
    private static void awaitMoved(RaftClient client, String id, PrintStream out) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MOVE_SECONDS);
        int said = -1;
        while (true) {
            List<PartitionPlace> moving = placement(client).stream().filter(PartitionPlace::moving).toList();
            if (moving.isEmpty()) {
                out.println("Every session partition is kept where it belongs among the nodes left: " + id
                        + " keeps no copy of any");
                return;
            }
            if (moving.size() != said) {
                said = moving.size();
                out.println("Session partitions moving to the nodes left: " + moving.size() + " of "
                        + SessionPartitions.COUNT + " (" + moving.stream().map(PartitionPlace::toString)
                        .collect(Collectors.joining("; ")) + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new CommandFailed(moving.size() + " session partitions still move after " + MOVE_SECONDS
                        + " s. They go on moving: follow them with 'bin/gannet cluster status' or "
                        + "$SYS/broker/cluster/partitions/moving, and keep " + id + "'s machine as it is until none "
                        + "does. A target node that is down holds up its partitions until it is back");
            }
            try {
                TimeUnit.SECONDS.sleep(1); // polling the log's placement, which has no event to wait for here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailed("interrupted while the session partitions move; they go on moving");
            }
        }
    }

    /** Where each session partition is, as the metadata group's leader has it. */
    private static List<PartitionPlace> placement(RaftClient client) {
        RaftClientReply reply = step("asking where the session partitions are",
                io(() -> client.io().sendReadOnly(Message.valueOf(MetadataStateMachine.PARTITIONS_QUERY))));
        check(reply, "asking where the session partitions are");
        List<PartitionPlace> places = new ArrayList<>();
        for (String line : reply.getMessage().getContent().toStringUtf8().split("\n")) {
            if (!line.isBlank()) {
                try {
                    places.add(PartitionPlace.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new CommandFailed(e.getMessage());
                }
            }
        }
        return places;
    }

    private static void status(ClusterConfig cluster, ClusterTls tls, PrintStream out) {
        RaftGroup group = RaftGroup.valueOf(MetadataGroup.GROUP_ID, MetadataGroup.peers(cluster.nodes()));
        RaftClient client = MetadataGroup.newClient(group, tls);
        try {
            RaftClientReply members = step("asking for the members",
                    io(() -> client.io().sendReadOnly(Message.valueOf(MetadataStateMachine.MEMBERS_QUERY))));
            check(members, "asking for the members");
            out.println("Members (place, id, host, port, raft-port), as the cluster's log has them:");
            for (String line : members.getMessage().getContent().toStringUtf8().split("\n")) {
                if (!line.isBlank()) {
                    out.println("  " + line);
                }
            }
            List<PartitionPlace> places = placement(client);
            long moving = places.stream().filter(PartitionPlace::moving).count();
            out.println("Session partitions (number: the nodes that keep it" + (moving > 0
                    ? " -> where it moves); " + moving + " moving:" : "); none moving:"));
            for (PartitionPlace p : places) {
                out.println("  " + p);
            }
            GroupInfoReply leader = leaderInfo(client, cluster.nodes());
            if (leader == null) {
                out.println("Raft group: no node of cluster.nodes says it leads it now (no majority, or an "
                        + "election under way)");
                return;
            }
            out.println("Raft group: leader " + leader.getServerId() + "; voters "
                    + leader.getGroup().getPeers().stream().map(p -> p.getId().toString()).sorted().toList());
            for (ServerRpcProto f
                    : leader.getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
                out.println("  " + f.getId().getId().toStringUtf8() + ": last heard " + f.getLastRpcElapsedTimeMs()
                        + " ms ago");
            }
        } finally {
            MetadataGroup.closeClient(client, "the metadata group");
        }
    }

    /** The group information of the node among {@code nodes} that leads the metadata group, or {@code null}. */
    private static GroupInfoReply leaderInfo(RaftClient client,
                                                                      List<ClusterConfig.Node> nodes) {
        for (ClusterConfig.Node n : nodes) {
            GroupInfoReply info = infoOf(client, n);
            if (info != null && info.getRoleInfoProto().hasLeaderInfo()) {
                return info;
            }
        }
        return null;
    }

    /**
     * The metadata group as {@code node} has it, or {@code null} if it does not answer within a few seconds (the
     * client retries without end, which a node that is down would make a hang).
     */
    private static GroupInfoReply infoOf(RaftClient client, ClusterConfig.Node node) {
        CompletableFuture<GroupInfoReply> info = io(() -> client.getGroupManagementApi(RaftPeerId.valueOf(node.id()))
                .info(MetadataGroup.GROUP_ID));
        try {
            return info.get(INFO_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The metadata group's configuration as the first node of {@code nodes} that answers has it. */
    private static List<RaftPeer> currentPeers(RaftClient client,
                                                                      List<ClusterConfig.Node> nodes) {
        for (ClusterConfig.Node n : nodes) {
            GroupInfoReply info = infoOf(client, n);
            if (info != null) {
                return List.copyOf(info.getGroup().getPeers());
            }
        }
        throw new CommandFailed("no node of cluster.nodes answered with the Raft group's configuration");
    }

    /**
     * A running node stops as it applies its leave; until it has, it is still a voter the group would count on, so
     * it is dropped from the configuration only then.
     */
    private static void awaitStopped(ClusterConfig.Node node, PrintStream out) {
        if (!answers(node)) {
            return;
        }
        out.println("Node " + node.id() + " runs: it stops as it applies its leave, and its clients resume elsewhere");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
        while (answers(node)) {
            if (System.nanoTime() > deadline) {
                throw new CommandFailed("node " + node.id() + " left the cluster but still runs after " + STEP_SECONDS
                        + " s; stop it (SIGTERM) and run the command again to drop it from the Raft group");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200); // polling a port that has no event to wait for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailed("interrupted while waiting for node " + node.id() + " to stop");
            }
        }
    }

    /** Whether something takes connections on the node's Raft port. */
    private static boolean answers(ClusterConfig.Node node) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(node.host(), node.raftPort()), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static RaftClientReply step(String what, CompletableFuture<RaftClientReply> call) {
        try {
            return call.get(STEP_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new CommandFailed(what + " took more than " + STEP_SECONDS + " s: is a majority of the cluster up, "
                    + "and is the new node running and reachable? Run the command again once it is");
        } catch (ExecutionException e) {
            throw new CommandFailed(what + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailed(what + " was interrupted");
        }
    }

    private static void check(RaftClientReply reply, String what) {
        if (!reply.isSuccess()) {
            throw new CommandFailed(what + " failed: " + reply.getException());
        }
    }

    private static String nodeId(String id) {
        if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("'" + id + "' is not a valid node id; allowed: 1 to 64 letters, "
                    + "digits, '-' and '_'");
        }
        return id;
    }

    private static int port(String name, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " '" + text + "' is not a port; allowed: an integer from 1 to 65535");
    }

    /** A blocking call of the Raft client, run off this thread so that a step can stop waiting for it. */
    private static <T> CompletableFuture<T> io(IoCall<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    /** A step that did not succeed, said in words for the operator. */
    private static final class CommandFailed extends RuntimeException {
        CommandFailed(String message) {
            super(message);
        }
    }
}
