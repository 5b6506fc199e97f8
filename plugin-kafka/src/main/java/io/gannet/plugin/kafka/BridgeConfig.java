package io.gannet.plugin.kafka;

import io.gannet.spi.PluginConfig;
import io.gannet.spi.PluginConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bridge's configuration, {@code plugins.kafka} in {@code gannet.yaml}, read and checked at start: every error
 * names its key, and a bridge that starts has clusters, mappings and templates that all make sense.
 *
 * @param clusters the Kafka clusters by name
 * @param toKafka  MQTT to Kafka mappings, in the order written
 * @param fromKafka Kafka to MQTT mappings, in the order written
 * @param buffer   where records wait while Kafka is away
 */
record BridgeConfig(Map<String, Cluster> clusters, List<ToKafka> toKafka, List<FromKafka> fromKafka, Buffer buffer) {
    /** Names of mappings and clusters: they name metrics, so they follow the metric names' rules. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+");
    /** Kafka's own rule for topic names. */
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /**
     * A Kafka cluster.
     *
     * @param properties Kafka client properties passed as they are, after the bridge's own defaults
     */
    record Cluster(String name, String bootstrapServers, Map<String, String> properties) {
    }

    /** When a QoS 1 or 2 publisher's acknowledgement is sent, for a message a mapping bridges. */
    enum Acknowledge {
        /** At once; the record waits in memory (and on disk when memory is full) while Kafka is away. */
        AT_ONCE,
        /** Once the record is in the bridge's journal on disk. */
        AFTER_BUFFER,
        /** Once Kafka has the record ({@code acks=all}). */
        AFTER_KAFKA;

        static Acknowledge parse(String value, String key) {
            return switch (value) {
                case "at-once" -> AT_ONCE;
                case "after-buffer" -> AFTER_BUFFER;
                case "after-kafka" -> AFTER_KAFKA;
                default -> throw new PluginConfigException(key + ": '" + value + "' is not a valid value; allowed: "
                        + "at-once, after-buffer, after-kafka");
            };
        }
    }

    /** An MQTT to Kafka mapping. */
    record ToKafka(String name, String cluster, List<TopicFilter> mqttTopics, Template kafkaTopic, Template key,
                   Acknowledge acknowledge) {
        boolean matches(String topic) {
            for (TopicFilter f : mqttTopics) {
                if (f.matches(topic)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A Kafka to MQTT mapping. */
    record FromKafka(String name, String cluster, List<String> kafkaTopics, String groupId, Template mqttTopic,
                     int qos, boolean retain) {
    }

    /** What happens to a new record when the buffer is full. */
    enum WhenFull {
        /** The message is refused: 5.0 publishers get 0x97, 3.1.1 publishers are disconnected. */
        REFUSE,
        /** The oldest waiting record is dropped, and counted, to make room. */
        DROP_OLDEST
    }

    /**
     * Where records wait while Kafka is away.
     *
     * @param maxBytes the most the waiting records may take, in memory and on disk together
     */
    record Buffer(Path directory, long maxBytes, WhenFull whenFull) {
    }

    /** Whether any mapping is configured; without one the bridge does nothing. */
    boolean hasMappings() {
        return !toKafka.isEmpty() || !fromKafka.isEmpty();
    }

    /** Reads and checks {@code plugins.kafka}. */
    static BridgeConfig read(PluginConfig config) {
        config.requireOnly(Set.of("clusters", "to-kafka", "from-kafka", "buffer"));
        Map<String, Cluster> clusters = new LinkedHashMap<>();
        PluginConfig clusterSection = config.section("clusters");
        for (String name : clusterSection.keys()) {
            clusters.put(name, cluster(name, clusterSection));
        }
        Set<String> names = new HashSet<>();
        List<ToKafka> toKafka = new ArrayList<>();
        for (PluginConfig m : config.sections("to-kafka")) {
            toKafka.add(toKafka(m, clusters, names));
        }
        List<FromKafka> fromKafka = new ArrayList<>();
        for (PluginConfig m : config.sections("from-kafka")) {
            fromKafka.add(fromKafka(m, clusters, names));
        }
        PluginConfig b = config.section("buffer");
        b.requireOnly(Set.of("directory", "max-bytes", "when-full"));
        String whenFull = b.string("when-full", "refuse");
        Buffer buffer = new Buffer(b.path("directory", "data/kafka-buffer"),
                b.integer("max-bytes", 1L << 30, 1L << 20, Long.MAX_VALUE),
                switch (whenFull) {
                    case "refuse" -> WhenFull.REFUSE;
                    case "drop-oldest" -> WhenFull.DROP_OLDEST;
                    default -> throw new PluginConfigException(b.fullKey("when-full") + ": '" + whenFull
                            + "' is not a valid value; allowed: refuse, drop-oldest");
                });
        return new BridgeConfig(Map.copyOf(clusters), List.copyOf(toKafka), List.copyOf(fromKafka), buffer);
    }

    private static Cluster cluster(String name, PluginConfig clusters) {
        if (!NAME.matcher(name).matches()) {
            throw new PluginConfigException(clusters.fullKey(name) + ": a cluster name uses lower case letters, "
                    + "digits, '-' and '_'");
        }
        PluginConfig c = clusters.section(name);
        c.requireOnly(Set.of("bootstrap-servers", "properties"));
        String servers = c.string("bootstrap-servers", null);
        if (servers == null || servers.isBlank()) {
            throw new PluginConfigException(c.fullKey("bootstrap-servers") + " is required: host:port of one or more "
                    + "Kafka brokers, comma-separated");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        PluginConfig p = c.section("properties");
        for (String key : p.keys()) {
            String value = p.string(key, null);
            if (value == null) {
                throw new PluginConfigException(p.fullKey(key) + ": a Kafka client property needs a value");
            }
            if (key.endsWith(".serializer") || key.endsWith(".deserializer")) {
                throw new PluginConfigException(p.fullKey(key) + ": the bridge sets the serializers itself (bytes as "
                        + "they are)");
            }
            properties.put(key, value);
        }
        return new Cluster(name, servers.trim(), Map.copyOf(properties));
    }

    private static ToKafka toKafka(PluginConfig m, Map<String, Cluster> clusters, Set<String> names) {
        m.requireOnly(Set.of("name", "cluster", "mqtt-topics", "kafka-topic", "key", "acknowledge"));
        String name = name(m, names);
        String cluster = cluster(m, clusters);
        List<String> filters = m.strings("mqtt-topics");
        if (filters.isEmpty()) {
            throw new PluginConfigException(m.fullKey("mqtt-topics") + " is required: the MQTT topic filters whose "
                    + "messages go to Kafka");
        }
        List<TopicFilter> parsed = new ArrayList<>();
        for (int i = 0; i < filters.size(); i++) {
            parsed.add(TopicFilter.parse(filters.get(i), m.fullKey("mqtt-topics") + "[" + i + "]"));
        }
        Template kafkaTopic = required(m, "kafka-topic", Template.TO_KAFKA);
        if (kafkaTopic.isConstant() && !KAFKA_TOPIC.matcher(kafkaTopic.toString()).matches()) {
            throw new PluginConfigException(m.fullKey("kafka-topic") + ": '" + kafkaTopic + "' is not a valid Kafka "
                    + "topic name (letters, digits, '.', '_' and '-', at most 249)");
        }
        Template key = Template.parse(m.string("key", "${topic}"), Template.TO_KAFKA, m.fullKey("key"));
        Acknowledge ack = Acknowledge.parse(m.string("acknowledge", "after-kafka"), m.fullKey("acknowledge"));
        return new ToKafka(name, cluster, List.copyOf(parsed), kafkaTopic, key, ack);
    }

    private static FromKafka fromKafka(PluginConfig m, Map<String, Cluster> clusters, Set<String> names) {
        m.requireOnly(Set.of("name", "cluster", "kafka-topics", "group-id", "mqtt-topic", "qos", "retain"));
        String name = name(m, names);
        String cluster = cluster(m, clusters);
        List<String> topics = m.strings("kafka-topics");
        if (topics.isEmpty()) {
            throw new PluginConfigException(m.fullKey("kafka-topics") + " is required: the Kafka topics to read");
        }
        for (int i = 0; i < topics.size(); i++) {
            if (!KAFKA_TOPIC.matcher(topics.get(i)).matches()) {
                throw new PluginConfigException(m.fullKey("kafka-topics") + "[" + i + "]: '" + topics.get(i)
                        + "' is not a valid Kafka topic name");
            }
        }
        Template mqttTopic = required(m, "mqtt-topic", Template.FROM_KAFKA);
        if (mqttTopic.toString().contains("+") || mqttTopic.toString().contains("#")) {
            throw new PluginConfigException(m.fullKey("mqtt-topic") + ": '" + mqttTopic + "' holds a wildcard; it "
                    + "must give a topic name");
        }
        String groupId = m.string("group-id", "gannet-" + name);
        return new FromKafka(name, cluster, List.copyOf(topics), groupId, mqttTopic,
                (int) m.integer("qos", 1, 0, 2), m.bool("retain", false));
    }

    private static String name(PluginConfig m, Set<String> names) {
        String name = m.string("name", null);
        if (name == null) {
            throw new PluginConfigException(m.fullKey("name") + " is required: it names the mapping in logs and "
                    + "metrics");
        }
        if (!NAME.matcher(name).matches()) {
            throw new PluginConfigException(m.fullKey("name") + ": '" + name + "' is not valid: use lower case "
                    + "letters, digits, '-' and '_'");
        }
        if (!names.add(name)) {
            throw new PluginConfigException(m.fullKey("name") + ": another mapping is already called '" + name + "'");
        }
        return name;
    }

    private static String cluster(PluginConfig m, Map<String, Cluster> clusters) {
        String cluster = m.string("cluster", null);
        if (cluster == null && clusters.size() == 1) {
            return clusters.keySet().iterator().next();
        }
        if (cluster == null || !clusters.containsKey(cluster)) {
            throw new PluginConfigException(m.fullKey("cluster") + ": " + (cluster == null ? "required"
                    : "'" + cluster + "' is not") + " one of the clusters under plugins.kafka.clusters ("
                    + String.join(", ", clusters.keySet()) + ")");
        }
        return cluster;
    }

    private static Template required(PluginConfig m, String key, Set<Template.Kind> allowed) {
        String text = m.string(key, null);
        if (text == null || text.isBlank()) {
            throw new PluginConfigException(m.fullKey(key) + " is required");
        }
        return Template.parse(text, allowed, m.fullKey(key));
    }

    @Override
    public String toString() {
        return "clusters " + clusters.keySet() + ", to Kafka " + toKafka.stream().map(ToKafka::name).toList()
                + ", from Kafka " + fromKafka.stream().map(FromKafka::name).toList();
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
