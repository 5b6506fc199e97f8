package io.gannet.broker.config;

import java.util.List;

/**
 * Every configuration key Gannet reads, with its default and documentation. This is the single source for the
 * loader's validation, {@code conf/gannet.yaml} and {@code docs/configuration.md}.
 */
public final class ConfigSchema {
    // listeners: a list; these keys describe one item.
    public static final ConfigKey<String> LISTENER_NAME = ConfigKey.string("listeners.name", "mqtt",
            "A unique name for the listener, used in logs.");
    public static final ConfigKey<String> LISTENER_BIND = ConfigKey.string("listeners.bind", "127.0.0.1",
            "The address to listen on: 127.0.0.1 for this machine only, 0.0.0.0 for every interface.");
    public static final ConfigKey<Integer> LISTENER_PORT = ConfigKey.integer("listeners.port", 1883, 0, 65535,
            "The TCP port. 1883 is the registered MQTT port; 0 picks a free port.");
    public static final ConfigKey<String> LISTENER_PROTOCOL = ConfigKey.choice("listeners.protocol", "mqtt",
            List.of("mqtt", "mqtts", "ws", "wss"), "mqtt: MQTT 3.1, 3.1.1 and 5.0 over plain TCP. mqtts: the "
                    + "same over TLS (registered port 8883), with certificates from the TLS plugin (plugins/tls). ws: "
                    + "MQTT over WebSocket (usually port 8083; any URL path, subprotocol mqtt), for browsers. wss: "
                    + "the same over TLS (usually port 8084).");
    public static final ConfigKey<Integer> LISTENER_MAX_CONNECTIONS = ConfigKey.integer("listeners.max-connections",
            100_000, 1, Integer.MAX_VALUE, "The most connections this listener keeps open at once; one more is "
                    + "closed as soon as it is accepted, counted in $SYS/broker/refused/connections. Keep it under "
                    + "the process's open-file limit.");
    public static final ConfigKey<Integer> LISTENER_CONNECTIONS_PER_SECOND = ConfigKey.integer(
            "listeners.connections-per-second", 2_000, 1, Integer.MAX_VALUE, "How many new connections this listener "
                    + "accepts per second. Beyond it the listener stops accepting until the next second, and new "
                    + "connections wait in the system's backlog (network.so-backlog): a storm of reconnecting "
                    + "devices is spread out, not refused.");
    public static final ConfigKey<List<String>> LISTENER_ALLOWED_ORIGINS = ConfigKey.stringList(
            "listeners.allowed-origins", "ws and wss only: the web origins (scheme://host[:port], or * for any) "
                    + "whose pages may open a connection. A browser sends its page's Origin with the WebSocket "
                    + "handshake; one not listed gets HTTP 403, counted in $SYS/broker/refused/websocket-origin. "
                    + "Empty, the default, refuses every request that carries an Origin, so that no web page you "
                    + "visit can reach the broker through your browser. Clients outside a browser send none, or "
                    + "the listener's own IP address (or localhost) and port, which is always let through.");

    public static final ConfigKey<Integer> MAX_PACKET_SIZE = ConfigKey.integer("mqtt.max-packet-size", 1_048_576,
            16, 268_435_460, "The largest MQTT packet, in bytes, the broker accepts. A larger packet is refused as "
                    + "soon as its header arrives, before its body is read, and the client is disconnected "
                    + "(5.0 clients get reason 0x95).");
    public static final ConfigKey<Integer> CONNECT_TIMEOUT = ConfigKey.integer("mqtt.connect-timeout-seconds", 10,
            1, 3600, "Seconds a new connection has to send its CONNECT before the broker closes it.");
    public static final ConfigKey<Integer> INFLIGHT_WINDOW = ConfigKey.integer("mqtt.inflight-window", 256, 1,
            65535, "How many QoS 1 and 2 messages the broker sends a client before it waits for acknowledgements; "
                    + "a 5.0 client's Receive Maximum lowers it. Further messages wait in the session queue. A "
                    + "client's acknowledgements are read once per turn of its event loop, which takes about a "
                    + "millisecond on a busy broker, so one subscriber receives at most this many QoS 1 and 2 "
                    + "messages per turn. Memory is taken only as a client keeps more in flight.");
    public static final ConfigKey<Integer> RECEIVE_MAXIMUM = ConfigKey.integer("mqtt.receive-maximum", 1024, 1,
            65535, "How many QoS 1 and 2 messages a client may have unacknowledged towards the broker; announced "
                    + "to 5.0 clients in CONNACK. QoS 1 is acknowledged at once, so this bounds QoS 2 messages "
                    + "awaiting PUBREL. A client that exceeds it is disconnected (5.0: reason 0x93).");
    public static final ConfigKey<Boolean> ALLOW_EMPTY_CLIENT_ID = ConfigKey.bool("mqtt.allow-empty-client-id",
            true, "Whether a client that connects with an empty client id and a clean session gets an id "
                    + "assigned by the broker. An empty id with a persistent session is always refused.");

    public static final ConfigKey<Integer> MAX_QOS = ConfigKey.integer("mqtt.max-qos", 2, 0, 2, "The highest QoS "
            + "the broker accepts from publishers and grants to subscribers (5.0 clients are told in CONNACK). A 5.0 "
            + "PUBLISH above it is refused with 0x9B; subscriptions are granted at most this QoS.");
    public static final ConfigKey<Boolean> RETAIN_AVAILABLE = ConfigKey.bool("mqtt.retain-available", true,
            "Whether retained messages are supported. When false, 5.0 clients are told so in CONNACK and a "
                    + "PUBLISH with RETAIN set is refused with 0x9A.");
    public static final ConfigKey<Integer> MAX_TOPIC_LEVELS = ConfigKey.integer("mqtt.max-topic-levels", 32, 1,
            1024, "The most levels (parts between /) a topic name or filter may have. A client that publishes beyond "
                    + "it is disconnected (5.0: DISCONNECT 0x90), a subscription beyond it gets SUBACK 0x8F (5.0) or "
                    + "0x80 (3.1.1), a will beyond it CONNACK 0x90 (3.1.1: 3); each counted in "
                    + "$SYS/broker/refused/topic-limits.");
    public static final ConfigKey<Integer> MAX_TOPIC_LENGTH = ConfigKey.integer("mqtt.max-topic-length", 4096, 1,
            65535, "The longest topic name or filter, in characters; beyond it, refused as for mqtt.max-topic-levels.");
    public static final ConfigKey<Integer> MAX_CLIENT_ID_LENGTH = ConfigKey.integer("mqtt.max-client-id-length", 256,
            23, 65535, "The longest client id, in characters (every broker must take 23). A longer one is refused "
                    + "with CONNACK 0x85 (3.1.1: 2), counted in $SYS/broker/refused/client-id.");
    public static final ConfigKey<Integer> MAX_USER_PROPERTIES_BYTES = ConfigKey.integer(
            "mqtt.max-user-properties-bytes", 8192, 0, 268_435_455, "The most characters of names and values that "
                    + "the user properties of one 5.0 PUBLISH (or will) may hold together: each subscriber gets "
                    + "them again. A client that sends more is disconnected (DISCONNECT 0x95; a will: CONNACK "
                    + "0x95), counted in $SYS/broker/refused/user-properties.");
    public static final ConfigKey<Integer> MAX_SUBSCRIPTIONS = ConfigKey.integer("sessions.max-subscriptions", 1000,
            1, Integer.MAX_VALUE, "The most subscriptions one session may hold. One more gets SUBACK 0x97 (5.0) or "
                    + "0x80 (3.1.1), counted in $SYS/broker/refused/subscriptions.");
    public static final ConfigKey<Boolean> WILDCARD_SUBSCRIPTIONS = ConfigKey.bool("mqtt.wildcard-subscriptions",
            true, "Whether filters with + or # may be subscribed to. When false, such a subscription gets "
                    + "SUBACK 0xA2 (5.0) or 0x80 (3.1.1).");
    public static final ConfigKey<Boolean> SUBSCRIPTION_IDENTIFIERS = ConfigKey.bool(
            "mqtt.subscription-identifiers", true, "Whether 5.0 clients may give Subscription Identifiers. When "
                    + "false, a SUBSCRIBE with one is a protocol error (DISCONNECT 0xA1).");
    public static final ConfigKey<Boolean> SHARED_SUBSCRIPTIONS = ConfigKey.bool("mqtt.shared-subscriptions", true,
            "Whether shared subscriptions ($share/{group}/{filter}, and $queue/{filter} as one group) are available. "
                    + "When false, 5.0 clients are told in CONNACK and such a subscription gets SUBACK 0x9E (5.0) or "
                    + "0x80 (3.1.1).");
    public static final ConfigKey<Integer> TOPIC_ALIAS_MAXIMUM = ConfigKey.integer("mqtt.topic-alias-maximum", 16,
            0, 65535, "How many topic aliases a 5.0 client may set up towards the broker, per connection; 0 "
                    + "disables them. An alias beyond it is refused with DISCONNECT 0x94.");
    public static final ConfigKey<Integer> OUTBOUND_TOPIC_ALIAS_MAXIMUM = ConfigKey.integer(
            "mqtt.outbound-topic-alias-maximum", 16, 0, 65535, "How many topic aliases the broker assigns when it "
                    + "sends to a 5.0 client (never more than the client allows); 0 disables them.");
    public static final ConfigKey<String> OUTBOUND_TOPIC_ALIAS_POLICY = ConfigKey.choice(
            "mqtt.outbound-topic-alias-policy", "lru", List.of("lru", "first-come"), "Which topics get the "
                    + "broker's aliases: lru gives the alias of the least recently used topic to a new one when all "
                    + "are taken; first-come keeps the first topics and sends later ones in full.");
    public static final ConfigKey<Integer> MAX_KEEP_ALIVE = ConfigKey.integer("mqtt.max-keep-alive-seconds", 65535,
            1, 65535, "The longest keep alive the broker accepts. A 5.0 client that asks for more, or for none, is "
                    + "given this value in CONNACK (Server Keep Alive); a 3.1.1 client keeps its own.");
    public static final ConfigKey<Long> MAX_SESSION_EXPIRY = ConfigKey.longInteger(
            "mqtt.max-session-expiry-seconds", 4_294_967_295L, 0, 4_294_967_295L, "The longest Session Expiry "
                    + "Interval the broker grants a 5.0 client; 4294967295 means sessions may never expire. A "
                    + "client asking for more is told the granted value in CONNACK.");
    public static final ConfigKey<String> RESPONSE_INFORMATION = ConfigKey.optionalString(
            "mqtt.response-information", "What a 5.0 client that sets Request Response Information gets as "
                    + "Response Information in CONNACK, typically a topic prefix for its responses; %c is "
                    + "replaced by the client id. Empty: none is sent.");

    public static final ConfigKey<String> V3_DENIED_PUBLISH = ConfigKey.choice("mqtt.v3-denied-publish", "drop",
            List.of("drop", "disconnect"), "What a 3.1.1 client gets for a PUBLISH that authorization refuses "
                    + "(3.1.1 has no reason codes): drop acknowledges it as usual and delivers nothing; disconnect "
                    + "closes the connection. 5.0 clients get reason 0x87.");

    public static final ConfigKey<Integer> MAX_QUEUED_MESSAGES = ConfigKey.integer("sessions.max-queued-messages",
            1000, 1, 10_000_000, "The most messages queued for one session: while its client is offline, or "
                    + "online but not keeping up. Messages in flight are not counted.");
    public static final ConfigKey<Integer> MAX_QUEUED_BYTES = ConfigKey.integer("sessions.max-queued-bytes",
            4_194_304, 1024, Integer.MAX_VALUE, "The most bytes queued for one session, each message counted as "
                    + "sent: topic, properties and payload.");
    public static final ConfigKey<Long> MAX_QUEUED_BYTES_TOTAL = ConfigKey.longInteger(
            "sessions.max-queued-bytes-total", 0, 0, Long.MAX_VALUE, "The most bytes all session queues together "
                    + "may hold, counted as sessions.max-queued-bytes counts them; 0 means a quarter of the JVM's "
                    + "maximum heap. Past it a new QoS 1 or 2 message that would be queued is refused (5.0: "
                    + "PUBACK/PUBREC 0x97; 3.1.1: the publisher is disconnected, so that it sends it again later) "
                    + "and a QoS 0 one dropped, each counted in $SYS/broker/publish/messages/dropped/queue-memory.");
    public static final ConfigKey<Integer> MAX_SESSIONS = ConfigKey.integer("sessions.max-sessions", 1_000_000, 1,
            Integer.MAX_VALUE, "The most sessions, connected or not, the broker keeps. A CONNECT that would make "
                    + "one more is refused with CONNACK 0x97 (3.1.1: 3), counted in $SYS/broker/refused/sessions; "
                    + "a client resuming its session is not one more.");
    public static final ConfigKey<Integer> MAX_RETAINED_MESSAGES = ConfigKey.integer("mqtt.max-retained-messages",
            1_000_000, 0, Integer.MAX_VALUE, "The most retained messages the broker keeps. A retained PUBLISH to "
                    + "a topic that has none yet, past it, is refused as a whole: not retained and not delivered "
                    + "(5.0 QoS 1/2: 0x97; 3.1.1 QoS 1/2: the publisher is disconnected; QoS 0: dropped), counted "
                    + "in $SYS/broker/refused/retained-limits. Replacing or clearing a retained message is always "
                    + "allowed.");
    public static final ConfigKey<Long> MAX_RETAINED_BYTES = ConfigKey.longInteger("mqtt.max-retained-bytes",
            1_073_741_824L, 0, Long.MAX_VALUE, "The most bytes (topic, properties and payload) all retained "
                    + "messages may hold together; a retained PUBLISH that would go past it is refused as "
                    + "mqtt.max-retained-messages says.");
    public static final ConfigKey<String> QUEUE_FULL_POLICY = ConfigKey.choice("sessions.queue-full-policy",
            "drop-oldest", List.of("drop-oldest", "drop-newest", "disconnect"), "What happens when a session's "
                    + "queue is full: drop-oldest evicts the oldest message, drop-newest drops the new one, "
                    + "disconnect closes the slow client (offline sessions then drop the new one). QoS 0 messages "
                    + "are always dropped first. Every drop is counted.");
    public static final ConfigKey<Boolean> QUEUE_QOS0_OFFLINE = ConfigKey.bool("sessions.queue-qos0-offline",
            false, "Whether QoS 0 messages are queued for persistent sessions whose client is offline.");

    public static final ConfigKey<Integer> IO_THREADS = ConfigKey.integer("network.io-threads", 0, 0, 1024,
            "Event loop threads for client connections; 0 means one per CPU core.");
    public static final ConfigKey<String> TRANSPORT = ConfigKey.choice("network.transport", "auto",
            List.of("auto", "epoll", "nio"), "The socket implementation: auto uses native epoll on Linux when it "
                    + "loads and Java NIO otherwise.");
    public static final ConfigKey<Integer> WRITE_BUFFER_HIGH_WATER_MARK = ConfigKey.integer(
            "network.write-buffer-high-water-mark", 65_536, 1024, 67_108_864, "Bytes waiting to be written to one "
                    + "client before the broker stops writing to it and queues instead (resumes at half).");
    public static final ConfigKey<Integer> SO_BACKLOG = ConfigKey.integer("network.so-backlog", 1024, 1, 65535,
            "The queue length for connections not yet accepted.");
    public static final ConfigKey<Integer> SHUTDOWN_TIMEOUT = ConfigKey.integer("network.shutdown-timeout-seconds",
            10, 1, 300, "On SIGTERM, the most seconds the broker takes to close clients and stop.");

    public static final ConfigKey<Integer> SYS_INTERVAL = ConfigKey.integer("sys.interval-seconds", 10, 0, 86_400,
            "How often the broker publishes its statistics under $SYS/broker/ (retained, QoS 0, only values that "
                    + "changed); 0 turns $SYS off.");

    public static final ConfigKey<Boolean> PERSISTENCE_ENABLED = ConfigKey.bool("persistence.enabled", true,
            "Whether persistent sessions (3.1.1 clean session 0, 5.0 session expiry above 0), the QoS 1 and 2 "
                    + "messages queued and in flight for them, and retained messages are kept on disk, so that they "
                    + "survive a restart and a crash of the broker process. Needs the persistence module in lib/ "
                    + "(the distribution has it); false keeps everything in memory. See docs/persistence.md.");
    public static final ConfigKey<String> PERSISTENCE_DIRECTORY = ConfigKey.string("persistence.directory",
            "data/persistence", "Where the journal is kept. Relative to the installation directory. One broker "
                    + "at a time may use it.");
    public static final ConfigKey<String> PERSISTENCE_SYNC = ConfigKey.choice("persistence.sync", "os",
            List.of("os", "interval", "every-message"), "When a publisher is acknowledged. os: once the message is "
                    + "in the journal's memory-mapped file; survives any crash of the broker process, not a power "
                    + "loss or a crash of the operating system. interval: after the next fsync, every "
                    + "sync-interval-ms; survives power loss. every-message: after an fsync made for it (messages "
                    + "that arrive together share one); survives power loss, slowest.");
    public static final ConfigKey<Integer> PERSISTENCE_SYNC_INTERVAL = ConfigKey.integer(
            "persistence.sync-interval-ms", 10, 1, 60_000, "With sync: interval, how often the journal is synced "
                    + "to disk; acknowledgements wait for the sync that covers them, so this adds up to as much "
                    + "latency.");
    public static final ConfigKey<Long> PERSISTENCE_MAX_DISK_BYTES = ConfigKey.longInteger(
            "persistence.max-disk-bytes", 10_737_418_240L, 16_777_216L, Long.MAX_VALUE, "The most bytes the "
                    + "journal may take. Above it, new QoS 1 and 2 messages for persistent sessions are refused "
                    + "(5.0 publishers get 0x97 Quota exceeded; 3.1.1 publishers are disconnected without an "
                    + "acknowledgement, so that they send again) and counted; nothing acknowledged is lost.");

    public static final ConfigKey<Boolean> CLUSTER_ENABLED = ConfigKey.bool("cluster.enabled", false,
            "Whether this broker is one node of a cluster: the nodes share which of them have subscribers for "
                    + "which filters, and pass each message to the nodes that have one. Needs the cluster module in "
                    + "lib/ (the distribution has it). What a cluster does and does not do yet: docs/cluster.md.");
    public static final ConfigKey<String> CLUSTER_NODE_ID = ConfigKey.optionalString("cluster.node-id",
            "This node's id; must be one of nodes[].id.");
    public static final ConfigKey<List<java.util.Map<?, ?>>> CLUSTER_NODES = ConfigKey.mappingList("cluster.nodes",
            "{id, host, port, raft-port[, joined]}", "Every node of the cluster, this one included, the same list "
                    + "on each node: id (letters, digits, '-', '_'), the host the others reach it at, port (messages "
                    + "between nodes) and raft-port (the Raft traffic of the cluster's shared state). Example: "
                    + "{id: n1, host: 10.0.0.1, port: 7883, raft-port: 7893}. The nodes that founded the cluster "
                    + "come first; a node added at run time (bin/gannet cluster add) has joined: true and comes "
                    + "after them, in the order the nodes joined. A node whose own entry has joined: true starts "
                    + "without a place in the cluster and waits until it is added. A founding node removed with "
                    + "bin/gannet cluster remove stays listed: a founding node's place is its position here.");
    public static final ConfigKey<String> CLUSTER_DIRECTORY = ConfigKey.string("cluster.directory", "data/cluster",
            "Where this node keeps its Raft log and snapshots. Relative to the installation directory.");
    public static final ConfigKey<Integer> CLUSTER_REPLICATION_FACTOR = ConfigKey.integer(
            "cluster.replication-factor", 3, 1, 9, "Copies of each persistent session's state, the owner's "
                    + "included; at most the number of founding nodes. The copies follow the members: a node added "
                    + "or removed at run time takes or gives up its share of them. A cluster left with fewer "
                    + "nodes than this keeps a copy on each.");
    public static final ConfigKey<Integer> CLUSTER_SNAPSHOT_ENTRIES = ConfigKey.integer(
            "cluster.snapshot-entries", 10_000, 10, Integer.MAX_VALUE, "Entries of each of this node's Raft logs "
                    + "(the cluster's metadata, each session partition) between snapshots of its state. A snapshot "
                    + "lets the node drop the log before it, so that its disk use and the replay at its start stay "
                    + "short; a node that was away for longer than that gets the leader's snapshot instead of the "
                    + "entries it missed. Fewer entries: smaller logs, more snapshots.");
    public static final ConfigKey<String> CLUSTER_TLS_CERTIFICATE = ConfigKey.optionalString(
            "cluster.tls-certificate", "This node's certificate chain (PEM), for the links and the Raft traffic "
                    + "between nodes. With tls-private-key and tls-trust, every connection between nodes is TLS "
                    + "and each side must present a certificate that tls-trust vouches for; without them, nodes "
                    + "take any connection (a trusted network only). Relative to the installation directory.");
    public static final ConfigKey<String> CLUSTER_TLS_PRIVATE_KEY = ConfigKey.optionalString(
            "cluster.tls-private-key", "The private key of tls-certificate (PEM, PKCS#8: BEGIN PRIVATE KEY). "
                    + "Relative to the installation directory.");
    public static final ConfigKey<String> CLUSTER_TLS_TRUST = ConfigKey.optionalString("cluster.tls-trust",
            "The certificates (PEM) that vouch for the other nodes: usually the cluster's own certificate "
                    + "authority. A node whose certificate none of them signed cannot connect. Relative to the "
                    + "installation directory."); 

    public static final ConfigKey<String> PLUGINS_DIRECTORY = ConfigKey.string("plugins.directory", "plugins",
            "Where plugin jars are: each jar, or each folder of jars, is one plugin with its own class loader. A "
                    + "folder holding a file named DISABLED is skipped. Relative to the installation directory.");
    public static final ConfigKey<Integer> HOOK_TIMEOUT = ConfigKey.integer("plugins.hook-timeout-ms", 5000, 10,
            600_000, "How long the broker waits for a plugin's asynchronous hook (such as authentication) before "
                    + "applying the hook's fallback, which for authentication is to refuse the client.");
    public static final ConfigKey<String> INTERCEPTOR_FAILURE = ConfigKey.choice("plugins.interceptor-failure",
            "drop", List.of("drop", "proceed"), "What happens to a message when a publish interceptor throws, "
                    + "fails or times out: 'drop' it (a 5.0 publisher gets 0x80; a 3.1.1 publisher of QoS 1 or 2 is "
                    + "disconnected, so that it sends again) or let it 'proceed' as it came.");
    public static final ConfigKey<Integer> ACKNOWLEDGEMENT_TIMEOUT = ConfigKey.integer(
            "plugins.acknowledgement-timeout-seconds", 60, 1, 3600, "How long a PUBACK or PUBREC held by an inbound "
                    + "interceptor (for example until Kafka has the record) may wait (up to an eighth "
                    + "longer); after that the publisher gets an error (5.0) or is disconnected (3.1.1) so that it "
                    + "sends the message again.");

    /**
     * The listeners of the shipped {@code conf/gannet.yaml}: plain MQTT and WebSocket for this machine, their TLS
     * forms for every interface. (Without a configuration file the broker opens only the first.)
     */
    public static final List<ListenerConfig> DISTRIBUTION_LISTENERS = List.of(
            new ListenerConfig("mqtt", "127.0.0.1", 1883, "mqtt"),
            new ListenerConfig("mqtts", "0.0.0.0", 8883, "mqtts"),
            new ListenerConfig("ws", "127.0.0.1", 8083, "ws"),
            new ListenerConfig("wss", "0.0.0.0", 8084, "wss"));

    /** The plugin settings of the shipped {@code conf/gannet.yaml}, as YAML under {@code plugins:}. */
    public static final String DISTRIBUTION_PLUGIN_SETTINGS = """
              # The auth plugin (plugins/auth): users in conf/passwords (add them with bin/gannet-passwd), access rules
              # in conf/acl. Clients of the listeners named here may connect without a user name.
              auth:
                anonymous-listeners: [mqtt, ws]
              # The TLS plugin (plugins/tls) provides the certificate of the mqtts and wss listeners. Set certificate
              # and private-key (PEM) or keystore (PKCS#12); with neither, a self-signed development certificate is
              # generated into self-signed-dir on first start.
              tls:
                self-signed-dir: data/tls
              # The Kafka bridge (plugins/kafka; every key in docs/kafka-bridge.md) does nothing until a mapping is
              # configured, for example:
              # kafka:
              #   clusters:
              #     local:
              #       bootstrap-servers: 127.0.0.1:9092
              #   to-kafka:
              #     - name: telemetry
              #       mqtt-topics: ["devices/+/telemetry"]
              #       kafka-topic: telemetry
              #       acknowledge: after-kafka
            """;

    /** The keys of each section in the order the reference shows them. */
    public static final List<ConfigKey<?>> LISTENER_KEYS = List.of(LISTENER_NAME, LISTENER_BIND, LISTENER_PORT,
            LISTENER_PROTOCOL, LISTENER_MAX_CONNECTIONS, LISTENER_CONNECTIONS_PER_SECOND, LISTENER_ALLOWED_ORIGINS);
    public static final List<ConfigKey<?>> KEYS = List.of(MAX_PACKET_SIZE, CONNECT_TIMEOUT, INFLIGHT_WINDOW,
            RECEIVE_MAXIMUM, ALLOW_EMPTY_CLIENT_ID, MAX_QOS, RETAIN_AVAILABLE, MAX_TOPIC_LEVELS, MAX_TOPIC_LENGTH,
            MAX_CLIENT_ID_LENGTH, MAX_USER_PROPERTIES_BYTES, MAX_RETAINED_MESSAGES, MAX_RETAINED_BYTES, WILDCARD_SUBSCRIPTIONS,
            SUBSCRIPTION_IDENTIFIERS, SHARED_SUBSCRIPTIONS, TOPIC_ALIAS_MAXIMUM, OUTBOUND_TOPIC_ALIAS_MAXIMUM, OUTBOUND_TOPIC_ALIAS_POLICY,
            MAX_KEEP_ALIVE, MAX_SESSION_EXPIRY, RESPONSE_INFORMATION, V3_DENIED_PUBLISH, MAX_QUEUED_MESSAGES, MAX_QUEUED_BYTES, MAX_QUEUED_BYTES_TOTAL, QUEUE_FULL_POLICY, MAX_SUBSCRIPTIONS, MAX_SESSIONS,
            QUEUE_QOS0_OFFLINE, IO_THREADS, TRANSPORT, WRITE_BUFFER_HIGH_WATER_MARK, SO_BACKLOG, SHUTDOWN_TIMEOUT,
            SYS_INTERVAL, PERSISTENCE_ENABLED, PERSISTENCE_DIRECTORY, PERSISTENCE_SYNC, PERSISTENCE_SYNC_INTERVAL,
            PERSISTENCE_MAX_DISK_BYTES, CLUSTER_ENABLED, CLUSTER_NODE_ID, CLUSTER_NODES, CLUSTER_DIRECTORY,
            CLUSTER_REPLICATION_FACTOR, CLUSTER_SNAPSHOT_ENTRIES, CLUSTER_TLS_CERTIFICATE, CLUSTER_TLS_PRIVATE_KEY,
            CLUSTER_TLS_TRUST,
            PLUGINS_DIRECTORY, HOOK_TIMEOUT, INTERCEPTOR_FAILURE, ACKNOWLEDGEMENT_TIMEOUT);

    public static final String SECTION_DOC_LISTENERS = "Network listeners. Each item opens one port.";
    public static final String SECTION_DOC_MQTT = "Protocol limits.";
    public static final String SECTION_DOC_SESSIONS = "Session queues: what is kept for clients that are offline or "
            + "slow.";
    public static final String SECTION_DOC_NETWORK = "Sockets and threads.";
    public static final String SECTION_DOC_SYS = "Broker statistics under $SYS/broker/, as Mosquitto publishes them.";
    public static final String SECTION_DOC_PERSISTENCE = "What survives a restart or a crash: persistent sessions, "
            + "their QoS 1 and 2 messages, retained messages. Guarantees of each sync policy: docs/persistence.md.";

    public static final String SECTION_DOC_CLUSTER = "Several brokers as one: which node this is and which the "
            + "others are. See docs/cluster.md.";

    /** The sections after {@code listeners}, in the order the reference shows them. */
    public static final List<String> SECTIONS = List.of("mqtt", "sessions", "network", "sys", "persistence",
            "cluster", "plugins");
    public static final String SECTION_DOC_PLUGINS = "Plugins. Each plugin reads its own settings from a section "
            + "named after it, plugins.<name>, where 'enabled' (default true) and 'priority' (default 0; higher "
            + "runs first) are read by the broker.";

    private ConfigSchema() {
    }

    static String sectionDoc(String section) {
        return switch (section) {
            case "mqtt" -> SECTION_DOC_MQTT;
            case "sessions" -> SECTION_DOC_SESSIONS;
            case "network" -> SECTION_DOC_NETWORK;
            case "sys" -> SECTION_DOC_SYS;
            case "persistence" -> SECTION_DOC_PERSISTENCE;
            case "cluster" -> SECTION_DOC_CLUSTER;
            case "plugins" -> SECTION_DOC_PLUGINS;
            default -> throw new IllegalArgumentException(section);
        };
    }
}
