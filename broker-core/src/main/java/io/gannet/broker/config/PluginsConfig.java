package io.gannet.broker.config;

import java.util.Map;

/**
 * The {@code plugins} section: where plugin jars are, how long hooks may take, and each plugin's own settings.
 *
 * @param directory         the plugins folder, relative to the installation directory unless absolute
 * @param hookTimeoutMillis how long the broker waits for an asynchronous hook before applying its fallback
 * @param proceedOnInterceptorFailure whether a message goes on as it came when a publish interceptor fails
 * @param acknowledgementTimeoutSeconds how long an acknowledgement held by an inbound interceptor may wait
 * @param sections          {@code plugins.<name>} sections by plugin name, as parsed from YAML
 */
public record PluginsConfig(String directory, int hookTimeoutMillis, boolean proceedOnInterceptorFailure,
                            int acknowledgementTimeoutSeconds, Map<String, Map<String, Object>> sections) {
    public PluginsConfig {
        sections = Map.copyOf(sections);
    }
}
