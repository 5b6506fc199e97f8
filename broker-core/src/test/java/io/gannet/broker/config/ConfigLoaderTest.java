package io.gannet.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private GannetConfig load(String yaml) throws IOException {
        Path f = dir.resolve("gannet.yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f);
    }

    @Test
    void emptyFileMeansDefaults() throws IOException {
        GannetConfig c = load("");
        assertThat(c).isEqualTo(GannetConfig.defaults());
        assertThat(c.listeners()).containsExactly(new ListenerConfig("mqtt", "127.0.0.1", 1883, "mqtt"));
        assertThat(c.mqtt().inflightWindow()).isEqualTo(256);
    }

    @Test
    void readsEveryKind() throws IOException {
        GannetConfig c = load("""
                listeners:
                  - name: a
                    port: 1884
                  - name: b
                    bind: 0.0.0.0
                    port: 0
                    protocol: MQTT
                mqtt:
                  max-packet-size: 2048
                  allow-empty-client-id: false
                sessions:
                  queue-full-policy: drop-newest
                network:
                  transport: nio
                """);
        assertThat(c.listeners()).containsExactly(new ListenerConfig("a", "127.0.0.1", 1884, "mqtt"),
                new ListenerConfig("b", "0.0.0.0", 0, "mqtt"));
        assertThat(c.mqtt().maxPacketSize()).isEqualTo(2048);
        assertThat(c.mqtt().allowEmptyClientId()).isFalse();
        assertThat(c.sessions().queueFullPolicy()).isEqualTo(SessionConfig.QueueFullPolicy.DROP_NEWEST);
        assertThat(c.network().transport()).isEqualTo("nio");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown key|mqtt: {max-packt-size: 10}|unknown configuration key 'mqtt.max-packt-size'; allowed keys in mqtt:",
        "unknown section|mqttt: {}|unknown configuration section 'mqttt'",
        "out of range|mqtt: {inflight-window: 0}|mqtt.inflight-window: '0' is not a valid value; allowed: an integer from 1 to 65535",
        "wrong type|mqtt: {inflight-window: many}|mqtt.inflight-window: 'many' is not a valid value",
        "fraction|mqtt: {inflight-window: 1.5}|mqtt.inflight-window: '1.5'",
        "bad choice|sessions: {queue-full-policy: panic}|sessions.queue-full-policy: 'panic' is not a valid value; allowed: one of drop-oldest, drop-newest, disconnect",
        "bad boolean|mqtt: {allow-empty-client-id: yes please}|mqtt.allow-empty-client-id: 'yes please' is not a valid value; allowed: true or false",
        "port range|'listeners: [{name: a, port: 70000}]'|listeners[0].port: '70000' is not a valid value; allowed: an integer from 0 to 65535",
        "missing port|'listeners: [{name: a}]'|listeners[0].port: is required",
        "duplicate name|'listeners: [{name: a, port: 1}, {name: a, port: 2}]'|listeners[1].name: 'a' is used by another listener",
        "unknown listener key|'listeners: [{name: a, port: 1, tls: true}]'|unknown configuration key 'listeners[0].tls'",
        "unknown protocol|'listeners: [{name: a, port: 1, protocol: http}]'|listeners[0].protocol: 'http' is not a valid value; allowed: one of mqtt",
        "empty listeners|'listeners: []'|the list is empty",
        "origins on mqtt|'listeners: [{name: a, port: 1, allowed-origins: [\"https://a.example\"]}]'|listeners[0].allowed-origins: applies to ws and wss listeners only",
        "not an origin|'listeners: [{name: a, port: 1, protocol: ws, allowed-origins: [\"https://a.example\", a.example]}]'|listeners[0].allowed-origins[1]: 'a.example' is not an origin",
        "origin with a path|'listeners: [{name: a, port: 1, protocol: ws, allowed-origins: [\"https://a.example/app\"]}]'|listeners[0].allowed-origins[0]: 'https://a.example/app' is not an origin",
        "origins not a list|'listeners: [{name: a, port: 1, protocol: ws, allowed-origins: \"*\"}]'|listeners[0].allowed-origins: '*' is not a valid value; allowed: a list of non-empty strings",
        "cluster without nodes|'cluster: {enabled: true, node-id: n1}'|cluster.nodes: is empty",
        "cluster node id not listed|'cluster: {enabled: true, node-id: n9, nodes: [{id: n1, host: h, port: 1, raft-port: 2}]}'|cluster.node-id: 'n9' is not one of cluster.nodes[].id (n1)",
        "cluster node without raft-port|'cluster: {nodes: [{id: n1, host: h, port: 1}]}'|cluster.nodes[0].raft-port: is required",
        "cluster node unknown key|'cluster: {nodes: [{id: n1, host: h, port: 1, raft-port: 2, weight: 3}]}'|unknown configuration key 'cluster.nodes[0].weight'",
        "cluster duplicate id|'cluster: {nodes: [{id: n1, host: h, port: 1, raft-port: 2}, {id: n1, host: h, port: 3, raft-port: 4}]}'|cluster.nodes[1].id: 'n1' is used by another node",
        "cluster ports clash|'cluster: {nodes: [{id: n1, host: h, port: 1, raft-port: 2}, {id: n2, host: h, port: 2, raft-port: 4}]}'|cluster.nodes[1].port: h:2 is used by another node or port",
        "cluster bad id|'cluster: {nodes: [{id: n/1, host: h, port: 1, raft-port: 2}]}'|cluster.nodes[0].id: 'n/1' is not a valid node id",
        "cluster port range|'cluster: {nodes: [{id: n1, host: h, port: 0, raft-port: 2}]}'|cluster.nodes[0].port: '0' is not a valid value; allowed: an integer from 1 to 65535",
        "cluster nodes not maps|'cluster: {nodes: [n1, n2]}'|cluster.nodes: '[n1, n2]' is not a valid value; allowed: a list of mappings",
        "cluster replication above nodes|'cluster: {enabled: true, node-id: n1, replication-factor: 2, nodes: [{id: n1, host: h, port: 1, raft-port: 2}]}'|cluster.replication-factor: 2 is more than the 1 founding nodes",
        "cluster replication above founding nodes|'cluster: {enabled: true, node-id: n1, replication-factor: 2, nodes: [{id: n1, host: h, port: 1, raft-port: 2}, {id: n2, host: h, port: 3, raft-port: 4, joined: true}]}'|cluster.replication-factor: 2 is more than the 1 founding nodes",
        "cluster joined not a flag|'cluster: {nodes: [{id: n1, host: h, port: 1, raft-port: 2, joined: yes-ish}]}'|cluster.nodes[0].joined: 'yes-ish' is not a valid value; allowed: true, false",
        "cluster founding after joined|'cluster: {nodes: [{id: n1, host: h, port: 1, raft-port: 2, joined: true}, {id: n2, host: h, port: 3, raft-port: 4}]}'|cluster.nodes[1]: founding node 'n2' is listed after a joined one",
        "cluster only joined nodes|'cluster: {enabled: true, node-id: n1, replication-factor: 1, nodes: [{id: n1, host: h, port: 1, raft-port: 2, joined: true}]}'|cluster.nodes: every node is marked joined",
        "cluster tls half set|'cluster: {tls-certificate: n.pem, tls-trust: ca.pem}'|cluster.tls-private-key: not set; TLS between nodes needs all of cluster.tls-certificate, cluster.tls-private-key, cluster.tls-trust",
        "section not a map|mqtt: 5|mqtt: must be a mapping",
        "not yaml|'mqtt: {'|is not valid YAML",
        "a float of a dot (found by fuzzing)|'mqtt: {max-packet-size: ._}'|is not valid YAML",
        "duplicate key|'mqtt: {inflight-window: 1, inflight-window: 2}'|is not valid YAML",
    })
    void badConfigNamesTheKey(String what, String yaml, String message) {
        String text = yaml.startsWith("'") ? yaml.substring(1, yaml.length() - 1) : yaml;
        assertThatThrownBy(() -> load(text)).as(what).isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aClusterNodeListIsReadWithThisNodesEntry() throws IOException {
        GannetConfig c = load("""
                cluster:
                  enabled: true
                  node-id: n2
                  replication-factor: 2
                  nodes:
                    - {id: n1, host: 10.0.0.1, port: 7883, raft-port: 7893}
                    - {id: n2, host: 10.0.0.2, port: 7883, raft-port: 7893}
                """);
        assertThat(c.cluster().enabled()).isTrue();
        assertThat(c.cluster().nodes()).hasSize(2);
        assertThat(c.cluster().self()).isEqualTo(new ClusterConfig.Node("n2", "10.0.0.2", 7883, 7893));
        assertThat(c.cluster().replicationFactor()).isEqualTo(2);
        assertThat(GannetConfig.defaults().cluster().enabled()).isFalse();
        assertThat(c.cluster().tls()).as("no TLS between nodes unless set").isNull();
        assertThat(load("cluster: {tls-certificate: n.pem, tls-private-key: n.key, tls-trust: ca.pem}").cluster().tls())
                .isEqualTo(new ClusterConfig.Tls("n.pem", "n.key", "ca.pem"));
    }

    @Test
    void aJoinedNodeIsListedAfterTheFoundingOnes() throws IOException {
        GannetConfig c = load("""
                cluster:
                  enabled: true
                  node-id: n3
                  replication-factor: 2
                  nodes:
                    - {id: n1, host: 10.0.0.1, port: 7883, raft-port: 7893}
                    - {id: n2, host: 10.0.0.2, port: 7883, raft-port: 7893, joined: false}
                    - {id: n3, host: 10.0.0.3, port: 7883, raft-port: 7893, joined: true}
                """);
        assertThat(c.cluster().self()).isEqualTo(new ClusterConfig.Node("n3", "10.0.0.3", 7883, 7893, true));
        assertThat(c.cluster().founding()).extracting(ClusterConfig.Node::id).containsExactly("n1", "n2");
    }

    @Test
    void missingFileIsAClearError() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read the configuration file");
    }
}
