package io.gannet.broker.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One configuration key, defined once: its dotted path, type, default, allowed values and the text users read in
 * {@code conf/gannet.yaml} and {@code docs/configuration.md}. The loader validates against it and the reference
 * files are rendered from it, so the three cannot drift apart.
 */
public final class ConfigKey<T> {
    private final String path;
    private final Class<T> type;
    private final T defaultValue;
    private final long min;
    private final long max;
    private final List<String> allowed;
    private final String doc;
    /** For a list: whether its items are mappings (read by whoever owns the key) rather than strings. */
    private final boolean mappings;

    private ConfigKey(String path, Class<T> type, T defaultValue, long min, long max, List<String> allowed,
                      String doc) {
        this(path, type, defaultValue, min, max, allowed, doc, false);
    }

    private ConfigKey(String path, Class<T> type, T defaultValue, long min, long max, List<String> allowed,
                      String doc, boolean mappings) {
        this.mappings = mappings;
        this.path = path;
        this.type = type;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.allowed = allowed;
        this.doc = doc;
    }

    public static ConfigKey<Integer> integer(String path, int defaultValue, long min, long max, String doc) {
        return new ConfigKey<>(path, Integer.class, defaultValue, min, max, List.of(), doc);
    }

    public static ConfigKey<Long> longInteger(String path, long defaultValue, long min, long max, String doc) {
        return new ConfigKey<>(path, Long.class, defaultValue, min, max, List.of(), doc);
    }

    /** A string that may be empty, meaning "not set". */
    public static ConfigKey<String> optionalString(String path, String doc) {
        return new ConfigKey<>(path, String.class, "", 1, 0, List.of(), doc);
    }

    public static ConfigKey<Boolean> bool(String path, boolean defaultValue, String doc) {
        return new ConfigKey<>(path, Boolean.class, defaultValue, 0, 0, List.of(), doc);
    }

    public static ConfigKey<String> choice(String path, String defaultValue, List<String> allowed, String doc) {
        return new ConfigKey<>(path, String.class, defaultValue, 0, 0, List.copyOf(allowed), doc);
    }

    public static ConfigKey<String> string(String path, String defaultValue, String doc) {
        return new ConfigKey<>(path, String.class, defaultValue, 0, 0, List.of(), doc);
    }

    /** A list of non-empty strings, by default empty. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static ConfigKey<List<String>> stringList(String path, String doc) {
        return new ConfigKey<>(path, (Class<List<String>>) (Class) List.class, List.of(), 0, 0, List.of(), doc);
    }

    /**
     * A list of mappings, by default empty, such as {@code cluster.nodes}. The key checks only that; the keys inside
     * each item are checked by the code that reads them, which names them in its errors as {@code path[i].key}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static ConfigKey<List<Map<?, ?>>> mappingList(String path, String itemDoc, String doc) {
        return new ConfigKey<>(path, (Class<List<Map<?, ?>>>) (Class) List.class, List.of(), 0, 0,
                List.of(itemDoc), doc, true);
    }

    public String path() {
        return path;
    }

    /** The last segment of the path: the key as written in its YAML section. */
    public String name() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    /** The section the key lives in, or "" for a top-level key. */
    public String section() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** What the key allows, in words, for error messages and the reference. */
    public String allowedValues() {
        if (type == Integer.class || type == Long.class) {
            return "an integer from " + min + " to " + max;
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        if (type == List.class) {
            return mappings ? "a list of mappings, each " + allowed.get(0) : "a list of non-empty strings";
        }
        if (!allowed.isEmpty()) {
            return "one of " + String.join(", ", allowed);
        }
        return emptyAllowed() ? "a string; empty means not set" : "a non-empty string";
    }

    /** Converts a parsed YAML value, or fails with a message that names the key and the allowed values. */
    public T convert(String where, Object raw) {
        Object value = raw;
        if (type == Integer.class && raw instanceof Number n && n.longValue() == n.doubleValue()
                && n.longValue() >= min && n.longValue() <= max) {
            value = (int) n.longValue();
        } else if (type == Long.class && raw instanceof Number n && n.longValue() == n.doubleValue()
                && n.longValue() >= min && n.longValue() <= max) {
            value = n.longValue();
        } else if (type == String.class && emptyAllowed() && raw instanceof String) {
            value = raw;
        } else if (type == Boolean.class && raw instanceof Boolean) {
            value = raw;
        } else if (type == List.class && mappings && raw instanceof List<?> items
                && items.stream().allMatch(i -> i instanceof Map<?, ?>)) {
            value = List.copyOf(items);
        } else if (type == List.class && !mappings && raw instanceof List<?> items
                && items.stream().allMatch(i -> i instanceof String s && !s.isBlank())) {
            value = items.stream().map(String.class::cast).toList();
        } else if (type == String.class && raw instanceof String s && !s.isBlank()
                && (allowed.isEmpty() || allowed.contains(s.toLowerCase(Locale.ROOT)))) {
            value = allowed.isEmpty() ? s : s.toLowerCase(Locale.ROOT);
        } else {
            throw new ConfigException(where + ": '" + raw + "' is not a valid value; allowed: " + allowedValues());
        }
        return type.cast(value);
    }

    /** Optional strings are marked by a min above max, a range no number has. */
    private boolean emptyAllowed() {
        return type == String.class && min > max;
    }

    /** The default as it is written in YAML. */
    public String yamlDefault() {
        if (type == List.class) {
            return yamlList((List<?>) defaultValue);
        }
        return emptyAllowed() && "".equals(defaultValue) ? "\"\"" : String.valueOf(defaultValue);
    }

    /** A list as YAML writes it in flow style, each item quoted: {@code ["a", "b"]}. */
    public static String yamlList(List<?> items) {
        StringBuilder sb = new StringBuilder("[");
        for (Object item : items) {
            sb.append(sb.length() > 1 ? ", " : "").append('"').append(item).append('"');
        }
        return sb.append(']').toString();
    }
}
