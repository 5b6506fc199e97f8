package io.gannet.broker.config;

import java.util.Map;

/**
 * The {@code plugins} section: where plugin jars are, how long hooks may take, and each plugin's own settings.
 *
 * @param directory         the plugins folder, relative to the installation directory unless absolute
 * @param hookTimeoutMillis how long the broker waits for an asynchronous hook before applying its fallback
 * @param sections          {@code plugins.<name>} sections by plugin name, as parsed from YAML
 */
public record PluginsConfig(String directory, int hookTimeoutMillis, Map<String, Map<String, Object>> sections) {
    public PluginsConfig {
        sections = Map.copyOf(sections);
    }
}
