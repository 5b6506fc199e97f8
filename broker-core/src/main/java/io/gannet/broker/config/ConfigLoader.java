package io.gannet.broker.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code gannet.yaml} into a validated {@link GannetConfig}. An unknown key, a wrong type or a value out of
 * range stops start-up with a {@link ConfigException} that names the key and the allowed values.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static GannetConfig load(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, "the configuration file " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read the configuration file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a configuration from YAML text.
     *
     * @param source what the text is, for messages ("the configuration file conf/gannet.yaml")
     */
    public static GannetConfig parse(Reader reader, String source) {
        Object root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (YAMLException e) {
            throw new ConfigException(source + " is not valid YAML: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // SnakeYAML takes "._" for a float and fails on it with a NumberFormatException (found by fuzzing).
            throw new ConfigException(source + " is not valid YAML: " + e, e);
        }
        if (root == null) {
            return fromMap(Map.of());
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(source + " must hold a mapping of sections");
        }
        return fromMap(map);
    }

    /** Builds the configuration from a parsed YAML mapping; absent keys take their defaults. */
    public static GannetConfig fromMap(Map<?, ?> root) {
        List<String> allSections = new ArrayList<>(List.of("listeners"));
        allSections.addAll(ConfigSchema.SECTIONS);
        Set<String> sections = new HashSet<>(allSections);
        for (Object key : root.keySet()) {
            if (!sections.contains(String.valueOf(key))) {
                throw new ConfigException("unknown configuration section '" + key + "'; allowed: "
                        + String.join(", ", allSections));
            }
        }
        Map<String, Map<?, ?>> bySection = new LinkedHashMap<>();
        for (String section : ConfigSchema.SECTIONS) {
            bySection.put(section, section(root, section));
        }
        Map<String, Map<String, Object>> pluginSections = new LinkedHashMap<>();
        for (Map.Entry<String, Map<?, ?>> e : bySection.entrySet()) {
            Set<String> known = ConfigSchema.KEYS.stream().filter(k -> k.section().equals(e.getKey()))
                    .map(ConfigKey::name).collect(Collectors.toCollection(java.util.TreeSet::new));
            if (e.getKey().equals("plugins")) {
                // Besides its own keys, the plugins section holds one mapping per plugin, checked by the plugin.
                Map<String, Object> rest = new LinkedHashMap<>();
                for (Map.Entry<?, ?> item : e.getValue().entrySet()) {
                    String key = String.valueOf(item.getKey());
                    if (known.contains(key)) {
                        rest.put(key, item.getValue());
                    } else if (item.getValue() instanceof Map<?, ?> section) {
                        Map<String, Object> copy = new LinkedHashMap<>();
                        section.forEach((k, v) -> copy.put(String.valueOf(k), v));
                        pluginSections.put(key, copy);
                    } else {
                        throw new ConfigException("plugins." + key + ": expected a plugin's settings (a mapping); "
                                + "the plugins section's own keys are " + String.join(", ", known));
                    }
                }
                e.setValue(rest);
            } else {
                checkKnown(e.getKey(), e.getValue(), known);
            }
        }
        Values v = new Values(bySection);
        MqttConfig mqtt = new MqttConfig(v.get(ConfigSchema.MAX_PACKET_SIZE), v.get(ConfigSchema.CONNECT_TIMEOUT),
                v.get(ConfigSchema.INFLIGHT_WINDOW), v.get(ConfigSchema.RECEIVE_MAXIMUM),
                v.get(ConfigSchema.ALLOW_EMPTY_CLIENT_ID), v.get(ConfigSchema.MAX_QOS),
                v.get(ConfigSchema.RETAIN_AVAILABLE), v.get(ConfigSchema.WILDCARD_SUBSCRIPTIONS),
                v.get(ConfigSchema.SUBSCRIPTION_IDENTIFIERS), v.get(ConfigSchema.SHARED_SUBSCRIPTIONS),
                v.get(ConfigSchema.TOPIC_ALIAS_MAXIMUM),
                v.get(ConfigSchema.OUTBOUND_TOPIC_ALIAS_MAXIMUM),
                v.get(ConfigSchema.OUTBOUND_TOPIC_ALIAS_POLICY).equals("lru"), v.get(ConfigSchema.MAX_KEEP_ALIVE),
                v.get(ConfigSchema.MAX_SESSION_EXPIRY), v.get(ConfigSchema.RESPONSE_INFORMATION),
                v.get(ConfigSchema.V3_DENIED_PUBLISH).equals("disconnect"), v.get(ConfigSchema.MAX_TOPIC_LEVELS),
                v.get(ConfigSchema.MAX_TOPIC_LENGTH), v.get(ConfigSchema.MAX_CLIENT_ID_LENGTH),
                v.get(ConfigSchema.MAX_USER_PROPERTIES_BYTES), v.get(ConfigSchema.MAX_RETAINED_MESSAGES),
                v.get(ConfigSchema.MAX_RETAINED_BYTES));
        SessionConfig sessions = new SessionConfig(v.get(ConfigSchema.MAX_QUEUED_MESSAGES),
                v.get(ConfigSchema.MAX_QUEUED_BYTES),
                SessionConfig.QueueFullPolicy.of(v.get(ConfigSchema.QUEUE_FULL_POLICY)),
                v.get(ConfigSchema.QUEUE_QOS0_OFFLINE), v.get(ConfigSchema.MAX_SUBSCRIPTIONS),
                v.get(ConfigSchema.MAX_QUEUED_BYTES_TOTAL), v.get(ConfigSchema.MAX_SESSIONS));
        NetworkConfig network = new NetworkConfig(v.get(ConfigSchema.IO_THREADS), v.get(ConfigSchema.TRANSPORT),
                v.get(ConfigSchema.WRITE_BUFFER_HIGH_WATER_MARK), v.get(ConfigSchema.SO_BACKLOG),
                v.get(ConfigSchema.SHUTDOWN_TIMEOUT));
        PluginsConfig plugins = new PluginsConfig(v.get(ConfigSchema.PLUGINS_DIRECTORY),
                v.get(ConfigSchema.HOOK_TIMEOUT), v.get(ConfigSchema.INTERCEPTOR_FAILURE).equals("proceed"),
                v.get(ConfigSchema.ACKNOWLEDGEMENT_TIMEOUT), pluginSections);
        PersistenceConfig persistence = new PersistenceConfig(v.get(ConfigSchema.PERSISTENCE_ENABLED),
                v.get(ConfigSchema.PERSISTENCE_DIRECTORY),
                PersistenceConfig.SyncPolicy.of(v.get(ConfigSchema.PERSISTENCE_SYNC)),
                v.get(ConfigSchema.PERSISTENCE_SYNC_INTERVAL), v.get(ConfigSchema.PERSISTENCE_MAX_DISK_BYTES));
        ClusterConfig cluster = ClusterConfig.of(v.get(ConfigSchema.CLUSTER_ENABLED),
                v.get(ConfigSchema.CLUSTER_NODE_ID), v.get(ConfigSchema.CLUSTER_NODES),
                v.get(ConfigSchema.CLUSTER_DIRECTORY), v.get(ConfigSchema.CLUSTER_REPLICATION_FACTOR),
                v.get(ConfigSchema.CLUSTER_SNAPSHOT_ENTRIES),
                ClusterConfig.Tls.of(v.get(ConfigSchema.CLUSTER_TLS_CERTIFICATE),
                        v.get(ConfigSchema.CLUSTER_TLS_PRIVATE_KEY), v.get(ConfigSchema.CLUSTER_TLS_TRUST)));
        return new GannetConfig(listeners(root), mqtt, sessions, network, v.get(ConfigSchema.SYS_INTERVAL),
                persistence, cluster, plugins);
    }

    private static Map<?, ?> section(Map<?, ?> root, String name) {
        Object value = root.get(name);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(name + ": must be a mapping of keys to values");
        }
        return map;
    }

    private static void checkKnown(String where, Map<?, ?> map, Set<String> known) {
        for (Object key : map.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw new ConfigException("unknown configuration key '" + where + "." + key + "'; allowed keys in "
                        + where + ": " + String.join(", ", known));
            }
        }
    }

    private static List<ListenerConfig> listeners(Map<?, ?> root) {
        if (!root.containsKey("listeners")) {
            return List.of(new ListenerConfig(ConfigSchema.LISTENER_NAME.defaultValue(),
                    ConfigSchema.LISTENER_BIND.defaultValue(), ConfigSchema.LISTENER_PORT.defaultValue(),
                    ConfigSchema.LISTENER_PROTOCOL.defaultValue()));
        }
        if (!(root.get("listeners") instanceof List<?> items)) {
            throw new ConfigException("listeners: must be a list of listeners, each with name, bind, port and "
                    + "protocol");
        }
        Set<String> known = new java.util.TreeSet<>();
        ConfigSchema.LISTENER_KEYS.forEach(k -> known.add(k.name()));
        List<ListenerConfig> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String where = "listeners[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?> item)) {
                throw new ConfigException(where + ": must be a mapping with name, bind, port and protocol");
            }
            checkKnown(where, item, known);
            for (ConfigKey<?> required : List.of(ConfigSchema.LISTENER_NAME, ConfigSchema.LISTENER_PORT)) {
                if (!item.containsKey(required.name())) {
                    throw new ConfigException(where + "." + required.name() + ": is required; allowed: "
                            + required.allowedValues());
                }
            }
            String name = ConfigSchema.LISTENER_NAME.convert(where + ".name", item.get("name"));
            if (!names.add(name)) {
                throw new ConfigException(where + ".name: '" + name + "' is used by another listener; names must "
                        + "be unique");
            }
            String bind = item.containsKey("bind")
                    ? ConfigSchema.LISTENER_BIND.convert(where + ".bind", item.get("bind"))
                    : ConfigSchema.LISTENER_BIND.defaultValue();
            int port = ConfigSchema.LISTENER_PORT.convert(where + ".port", item.get("port"));
            String protocol = item.containsKey("protocol")
                    ? ConfigSchema.LISTENER_PROTOCOL.convert(where + ".protocol", item.get("protocol"))
                    : ConfigSchema.LISTENER_PROTOCOL.defaultValue();
            int maxConnections = item.containsKey("max-connections")
                    ? ConfigSchema.LISTENER_MAX_CONNECTIONS.convert(where + ".max-connections",
                            item.get("max-connections"))
                    : ConfigSchema.LISTENER_MAX_CONNECTIONS.defaultValue();
            int perSecond = item.containsKey("connections-per-second")
                    ? ConfigSchema.LISTENER_CONNECTIONS_PER_SECOND.convert(where + ".connections-per-second",
                            item.get("connections-per-second"))
                    : ConfigSchema.LISTENER_CONNECTIONS_PER_SECOND.defaultValue();
            ListenerConfig listener = new ListenerConfig(name, bind, port, protocol, maxConnections, perSecond,
                    List.of());
            if (item.containsKey("allowed-origins")) {
                String key = where + ".allowed-origins";
                List<String> origins = ConfigSchema.LISTENER_ALLOWED_ORIGINS.convert(key, item.get("allowed-origins"));
                if (!listener.isWebSocket() && !origins.isEmpty()) {
                    throw new ConfigException(key + ": applies to ws and wss listeners only; this one is " + protocol);
                }
                for (int o = 0; o < origins.size(); o++) {
                    try {
                        WebOrigins.normalize(origins.get(o));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(key + "[" + o + "]: " + e.getMessage());
                    }
                }
                listener = listener.withAllowedOrigins(origins);
            }
            result.add(listener);
        }
        if (result.isEmpty()) {
            throw new ConfigException("listeners: the list is empty; the broker needs at least one listener");
        }
        return result;
    }

    /** Looks up each key in its section, falling back to its default. */
    private record Values(Map<String, Map<?, ?>> sections) {
        <T> T get(ConfigKey<T> key) {
            Map<?, ?> section = sections.get(key.section());
            if (section == null || !section.containsKey(key.name())) {
                return key.defaultValue();
            }
            return key.convert(key.path(), section.get(key.name()));
        }
    }
}
