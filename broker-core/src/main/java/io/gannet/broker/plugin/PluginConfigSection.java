package io.gannet.broker.plugin;

import io.gannet.spi.PluginConfig;
import io.gannet.spi.PluginConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A plugin's section of {@code gannet.yaml}, {@code plugins.<name>}, with typed, validated access. */
final class PluginConfigSection implements PluginConfig {
    /** Keys the broker reads itself in every plugin section. */
    static final Set<String> BROKER_KEYS = Set.of("enabled", "priority");

    private final String prefix;
    private final Map<String, Object> values;
    private final Path home;

    PluginConfigSection(String pluginName, Map<String, Object> values, Path home) {
        this.prefix = "plugins." + pluginName + ".";
        this.values = values;
        this.home = home;
    }

    @Override
    public Set<String> keys() {
        Set<String> keys = new TreeSet<>(values.keySet());
        keys.removeAll(BROKER_KEYS);
        return keys;
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
