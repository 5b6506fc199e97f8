package io.gannet.plugin.kafka;

import io.gannet.spi.PluginConfigException;

/**
 * An MQTT topic filter of a mapping ({@code devices/+/telemetry}, {@code sensors/#}), matched as a subscription
 * would be: {@code +} one level, {@code #} the rest, and a wildcard at the start does not match a {@code $} topic.
 * A mapping has few filters, so they are matched level by level without a trie.
 */
final class TopicFilter {
    private final String filter;
    private final String[] levels;

    private TopicFilter(String filter) {
        this.filter = filter;
        this.levels = filter.split("/", -1);
    }

    /**
     * Parses a filter, the value of {@code key}.
     *
     * @throws PluginConfigException naming the key when the filter is not valid MQTT, or is a shared subscription
     */
    static TopicFilter parse(String filter, String key) {
        if (filter == null || filter.isEmpty()) {
            throw new PluginConfigException(key + ": an empty topic filter");
        }
        if (filter.startsWith("$share/")) {
            throw new PluginConfigException(key + ": '" + filter + "' is a shared subscription; a mapping sees every "
                    + "message published to its filters, so name the filter alone");
        }
        if (filter.indexOf('\0') >= 0) {
            throw new PluginConfigException(key + ": '" + filter + "' holds a NUL character");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw new PluginConfigException(key + ": '" + filter + "' is not a valid topic filter: '#' must be a "
                        + "whole level and the last one");
            }
            if (level.contains("+") && !level.equals("+")) {
                throw new PluginConfigException(key + ": '" + filter + "' is not a valid topic filter: '+' must be a "
                        + "whole level");
            }
        }
        return new TopicFilter(filter);
    }

    /** Whether {@code topic}, a topic name, matches. */
    boolean matches(String topic) {
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return false;
        }
        int at = 0;
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#")) {
                return true; // also the parent: "a/#" matches "a"
            }
            if (at > topic.length()) {
                return false;
            }
            int end = topic.indexOf('/', at);
            if (end < 0) {
                end = topic.length();
            }
            if (!level.equals("+") && !topic.regionMatches(at, level, 0, level.length())
                    || !level.equals("+") && end - at != level.length()) {
                return false;
            }
            at = end + 1;
        }
        return at == topic.length() + 1;
    }

    @Override
    public String toString() {
        return filter;
    }
}
