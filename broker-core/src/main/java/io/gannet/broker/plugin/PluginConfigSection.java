package io.gannet.broker.plugin;

import io.gannet.spi.PluginConfig;
import io.gannet.spi.PluginConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A plugin's section of {@code gannet.yaml}, {@code plugins.<name>}, or a map nested in it, with typed, validated
 * access; every error names the full key.
 */
final class PluginConfigSection implements PluginConfig {
    /** Keys the broker reads itself in every plugin section. */
    static final Set<String> BROKER_KEYS = Set.of("enabled", "priority");

    /** The full key of this section followed by a dot, such as {@code plugins.kafka.} or {@code plugins.kafka.x[0].}. */
    private final String prefix;
    private final Map<String, Object> values;
    private final Path home;
    private final boolean top;

    PluginConfigSection(String pluginName, Map<String, Object> values, Path home) {
        this("plugins." + pluginName + ".", values, home, true);
    }

    private PluginConfigSection(String prefix, Map<String, Object> values, Path home, boolean top) {
        this.prefix = prefix;
        this.values = values;
        this.home = home;
        this.top = top;
    }

    @Override
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>(values.keySet());
        if (top) {
            keys.removeAll(BROKER_KEYS);
        }
        return Collections.unmodifiableSet(keys);
    }

    @Override
    public PluginConfig section(String key) {
        Object v = values.get(key);
        if (v == null) {
            return new PluginConfigSection(prefix + key + ".", Map.of(), home, false);
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw bad(key, v, "a map of keys to values");
        }
        return new PluginConfigSection(prefix + key + ".", stringKeys(prefix + key, map), home, false);
    }

    @Override
    public List<PluginConfig> sections(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw bad(key, v, "a list of maps");
        }
        List<PluginConfig> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String itemKey = prefix + key + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new PluginConfigException(itemKey + ": '" + list.get(i) + "' is not a valid value; allowed: a "
                        + "map of keys to values");
            }
            out.add(new PluginConfigSection(itemKey + ".", stringKeys(itemKey, map), home, false));
        }
        return List.copyOf(out);
    }

    @Override
    public String fullKey(String key) {
        return prefix + key;
    }

    private static Map<String, Object> stringKeys(String where, Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getKey() == null) {
                throw new PluginConfigException(where + ": a key is empty");
            }
            out.put(e.getKey().toString(), e.getValue());
        }
        return out;
    }

    @Override
    public String string(String key, String defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
            throw bad(key, v, "a string");
        }
        return v.toString();
    }

    @Override
    public long integer(String key, long defaultValue, long min, long max) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n && n.longValue() == n.doubleValue() && n.longValue() >= min
                && n.longValue() <= max) {
            return n.longValue();
        }
        throw bad(key, v, "an integer from " + min + " to " + max);
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw bad(key, v, "true or false");
    }

    @Override
    public List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw bad(key, v, "a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            out.add(String.valueOf(item));
        }
        return List.copyOf(out);
    }

    @Override
    public Path path(String key, String defaultValue) {
        String s = string(key, defaultValue);
        Path p = Path.of(s);
        return p.isAbsolute() ? p : home.resolve(p).normalize();
    }

    @Override
    public void requireOnly(Set<String> known) {
        for (String key : keys()) {
            if (!known.contains(key)) {
                throw new PluginConfigException("unknown configuration key '" + prefix + key + "'; allowed keys: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    private PluginConfigException bad(String key, Object value, String allowed) {
        return new PluginConfigException(prefix + key + ": '" + value + "' is not a valid value; allowed: " + allowed);
    }
}
