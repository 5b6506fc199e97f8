package io.gannet.cluster;

import static io.gannet.cluster.Qos1.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with {@code cluster.tls-*} set: their links and their Raft traffic are mutual TLS. Messages still
 * cross nodes; a peer without a certificate of the cluster's authority can neither put a message into a link nor
 * an entry into the cluster's log. Three broker processes on loopback, Netty's leak detector at paranoid.
 */
class ClusterTlsTest {
    private static final Duration AGREED = Duration.ofSeconds(60);

    @TempDir
    static Path root;
    static ClusterProcesses cluster;
    static NodeCertificates authority;

    @BeforeAll
    static void startCluster() throws Exception {
        authority = new NodeCertificates("Gannet test cluster CA");
        cluster = new ClusterProcesses(root, 3, NodeCertificates.settings("tls"));
        for (int node = 1; node <= 3; node++) {
            authority.writeNode("n" + node, cluster.node(node).home.resolve("tls"));
        }
        cluster.start();
        // A majority in Raft, and every loop's link to each other node up: both over TLS.
        cluster.awaitEach(sys -> sys.get("quorum") == 1 && sys.get("links/up") == 2 * 2, AGREED);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.closeAndCheckLeaks();
    }

    /**
     * {@code bin/gannet cluster add} and {@code remove} over TLS: the command is a Raft client with the
     * configuration's certificate, and the added node takes part in Raft and the links over TLS too.
     */
    @Test
    void aNodeIsAddedAndRemovedOverTls() throws Exception {
        ClusterProcesses.Node added = cluster.joiningNode();
        authority.writeNode(added.id, added.home.resolve("tls"));
        added.start();
        var add = cluster.command(cluster.node(1), "add", added.id, "127.0.0.1", Integer.toString(added.linkPort),
                Integer.toString(added.raftPort));
        assertThat(add.getKey()).as(add.getValue()).isZero();
        cluster.awaitEach(sys -> sys.get("nodes") == 4 && sys.get("quorum") == 1, AGREED);

        Mqtt5BlockingClient sub = client(1, "tls-sub-of-n4");
        sub.connect();
        Mqtt5BlockingClient pub = MqttClient.builder().useMqttVersion5().identifier("tls-pub-on-n4")
                .serverHost("127.0.0.1").serverPort(added.mqttPort).buildBlocking();
        pub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("joined/#").qos(MqttQos.AT_LEAST_ONCE).send();
            await().atMost(AGREED).until(() -> reasonOf(pub, "joined/x", "probe") == Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(reasonOf(pub, "joined/x", "over-tls")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
            assertThat(Qos1.firstArrivals(received, "over", 1)).containsExactly("over-tls");
        }
        pub.disconnect();
        sub.disconnect();

        added.stop();
        var remove = cluster.command(added, "remove", added.id);
        assertThat(remove.getKey()).as(remove.getValue()).isZero();
        cluster.awaitEachRunning(sys -> sys.get("nodes") == 3 && sys.get("quorum") == 1, AGREED);
    }

    private static Mqtt5BlockingClient client(int node, String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(cluster.node(node).mqttPort).buildBlocking();
    }

    @Test
    void aMessageCrossesNodesOverMutualTls() throws Exception {
        Mqtt5BlockingClient sub = client(2, "tls-sub");
        sub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("secure/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = client(1, "tls-pub");
            pub.connect();
            // Once n1 routes the filter to n2, the message is acknowledged and arrives.
            await().atMost(AGREED).until(() -> reasonOf(pub, "secure/a", "across") == Mqtt5PubAckReasonCode.SUCCESS);
            Optional<Mqtt5Publish> got = received.receive(10, TimeUnit.SECONDS);
            assertThat(got).isPresent();
            assertThat(new String(got.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("across");
            pub.disconnect();
        }
        sub.disconnect();
    }

    @Test
    void aConnectionWithoutTlsCannotPutAMessageIntoALink() throws Exception {
        Mqtt5BlockingClient sub = client(2, "inject-sub");
        sub.connect();
        long refusedBefore;
        try (SysWatch sys2 = SysWatch.once(cluster.node(2).mqttPort)) {
            refusedBefore = sys2.get("links/refused");
        }
        try (Mqtt5BlockingClient.Mqtt5Publishes received = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("inject/#").qos(MqttQos.AT_MOST_ONCE).send();
            // What node n1 would send over a plain link: its HELLO, then a message for n2's subscribers.
            ByteBuf frames = Unpooled.buffer();
            LinkFrames.writeHello(frames, "n1");
            LinkFrames.writePublish(frames, new Message("inject/x", 0, false,
                            "forged".getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY, "intruder"), null,
                    System.currentTimeMillis(), true, false, 0, new SharedPicks(0), 1);
            byte[] bytes = new byte[frames.readableBytes()];
            frames.readBytes(bytes);
            frames.release();
            try (Socket socket = new Socket("127.0.0.1", cluster.node(2).linkPort)) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write(bytes);
                out.flush();
                // n2 takes the bytes for a TLS record, fails the handshake and closes the connection.
                assertThat(readUntilClosed(socket.getInputStream())).isTrue();
            }
            try (SysWatch sys2 = SysWatch.once(cluster.node(2).mqttPort)) {
                await().atMost(AGREED).until(() -> sys2.get("links/refused") > refusedBefore);
            }
            assertThat(received.receive(3, TimeUnit.SECONDS)).as("a forged message delivered").isEmpty();
        }
        sub.disconnect();
    }

    @Test
    void aRaftClientWithoutTlsCannotProposeAnEntryToTheClustersLog() throws Exception {
        List<RaftPeer> peers = List.of(1, 2, 3).stream().map(i -> RaftPeer.newBuilder().setId("n" + i)
                .setAddress("127.0.0.1:" + cluster.node(i).raftPort).build()).toList();
        RaftProperties props = new RaftProperties();
        org.apache.ratis.RaftConfigKeys.Rpc.setType(props, org.apache.ratis.rpc.SupportedRpcType.GRPC);
        byte[] forged = MetadataChange.encode(List.of(new MetadataChange.Retain("n1", new Message("forged/retained",
                1, true, "forged".getBytes(StandardCharsets.UTF_8), MqttProperties.EMPTY, "intruder"))));
        try (RaftClient intruder = RaftClient.newBuilder().setProperties(props).setParameters(new Parameters())
                .setRaftGroup(RaftGroup.valueOf(MetadataGroup.GROUP_ID, peers))
                .setRetryPolicy(RetryPolicies.noRetry()).build()) {
            assertThatThrownBy(() -> intruder.io().send(org.apache.ratis.protocol.Message.valueOf(
                    org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(forged))))
                    .as("a plain Raft client's proposal").isInstanceOf(java.io.IOException.class);
        }
        // Nor did it reach the log some other way: no node holds the retained message.
        Mqtt5BlockingClient probe = client(3, "forged-probe");
        probe.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = probe.publishes(MqttGlobalPublishFilter.ALL)) {
            probe.subscribeWith().topicFilter("forged/#").qos(MqttQos.AT_MOST_ONCE).send();
            assertThat(received.receive(3, TimeUnit.SECONDS)).as("a forged retained message").isEmpty();
        }
        probe.disconnect();
    }

    /** Reads until the peer closes the connection; true if it did (a reset counts) before the socket's timeout. */
    private static boolean readUntilClosed(InputStream in) throws Exception {
        byte[] sink = new byte[4096];
        try {
            while (in.read(sink) >= 0) {
                // what a TLS server answers to bytes that are not TLS (an alert, if anything)
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }
}
