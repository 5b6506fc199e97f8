package io.gannet.broker.plugin;

import io.gannet.spi.PluginConfig;
import java.nio.file.Path;
import java.util.Map;

/** The broker's own {@link PluginConfig} over a map, for plugins' unit tests of their configuration. */
public final class TestPluginConfigs {
    private TestPluginConfigs() {
    }

    /** The section {@code plugins.<pluginName>} holding {@code values}, relative paths resolved against {@code home}. */
    public static PluginConfig of(String pluginName, Map<String, Object> values, Path home) {
        return new PluginConfigSection(pluginName, values, home);
    }
}
