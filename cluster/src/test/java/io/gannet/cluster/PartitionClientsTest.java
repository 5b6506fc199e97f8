package io.gannet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.config.ClusterConfig;
import io.gannet.broker.testing.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partitions' Raft clients follow the copies the log names, and a request that meets a node without a copy
 * (it moved away, and that node deleted it) is asked again of the others rather than failed: Ratis's client does not
 * try again after a {@code GroupMismatchException}. Two real Ratis servers on loopback, in this JVM: n1 holds the
 * partition's group, n2 none.
 */
class PartitionClientsTest {
    private static final int PARTITION = 3;

    @TempDir
    Path dir;
    private RaftServer n1;
    private RaftServer n2;

    @AfterEach
    void stop() throws Exception {
        for (RaftServer s : new RaftServer[] {n1, n2}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void aRequestThatMeetsANodeWithoutACopyIsAskedOfTheOthers() throws Exception {
        // Ratis's client asks first the peer its group lists first, in the order of a hash map: the node without a
        // copy gets an id that comes first there.
        ClusterConfig.Node holder = new ClusterConfig.Node("n1", "127.0.0.1", 1, ChildJvm.freePort());
        int emptyPort = ChildJvm.freePort();
        ClusterConfig.Node empty = java.util.stream.IntStream.range(2, 100)
                .mapToObj(i -> new ClusterConfig.Node("n" + i, "127.0.0.1", 1, emptyPort))
                .filter(n -> RaftGroup.valueOf(SessionPartitions.groupId(PARTITION), MetadataGroup.peer(holder),
                        MetadataGroup.peer(n)).getPeers().iterator().next().getId().toString().equals(n.id()))
                .findFirst().orElseThrow();
        Map<String, ClusterConfig.Node> nodes = Map.of(holder.id(), holder, empty.id(), empty);
        n1 = server(holder, RaftGroup.valueOf(SessionPartitions.groupId(PARTITION), MetadataGroup.peer(holder)));
        n2 = server(empty, RaftGroup.emptyGroup());
        // Wait for n1 to lead its group of one.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                n1.getDivision(SessionPartitions.groupId(PARTITION)).getInfo().isLeader());

        SessionPartitions partitions = new SessionPartitions(List.of(nodes.get("n1")), 1);
        // The log says the other node holds it too (it did, and has deleted its copy since): asked first, it answers
        // that it has none.
        partitions.place(PARTITION, List.of(empty.id(), holder.id()));
        try (PartitionClients clients = new PartitionClients(partitions, nodes::get, ClusterTls.PLAIN)) {
            for (int i = 0; i < 3; i++) {
                RaftClientReply reply = clients.send(PARTITION, Message.valueOf("entry " + i))
                        .get(30, TimeUnit.SECONDS);
                assertThat(reply.isSuccess()).isTrue();
                assertThat(reply.getMessage().getContent().toString(StandardCharsets.UTF_8)).isEqualTo("entry " + i);
            }
            RaftClient before = clients.get(PARTITION);
            partitions.place(PARTITION, List.of(holder.id()));
            RaftClient after = clients.get(PARTITION);
            assertThat(after).as("built again for the new copies").isNotSameAs(before);
            assertThat(clients.send(PARTITION, Message.valueOf("moved")).get(30, TimeUnit.SECONDS).isSuccess())
                    .isTrue();
        }
    }

    private RaftServer server(ClusterConfig.Node node, RaftGroup group) throws Exception {
        RaftProperties props = new RaftProperties();
        RaftConfigKeys.Rpc.setType(props, SupportedRpcType.GRPC);
        GrpcConfigKeys.Server.setHost(props, node.host());
        GrpcConfigKeys.Server.setPort(props, node.raftPort());
        RaftServerConfigKeys.setStorageDir(props, List.of(dir.resolve(node.id()).toFile()));
        RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(node.id()))
                .setGroup(group)
                .setProperties(props)
                .setStateMachine(new Echo())
                .build();
        server.start();
        return server;
    }

    /** Answers each entry with its own content. */
    private static final class Echo extends BaseStateMachine {
        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            var entry = trx.getLogEntry();
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.valueOf(
                    entry.getStateMachineLogEntry().getLogData()));
        }
    }
}
