package io.gannet.spi;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Typed access to a plugin's configuration section. Each getter validates the value; a bad one throws
 * {@link PluginConfigException} with the full key ({@code plugins.<name>.<key>}) and what is allowed, which stops
 * the plugin from starting with a clear message.
 *
 * @since 1.0
 */
@Evolving
@DoNotImplement
public interface PluginConfig {
    /** The keys present in the section. */
    Set<String> keys();

    /** A string, or {@code defaultValue} when the key is absent. */
    String string(String key, String defaultValue);

    /** An integer within {@code [min, max]}, or {@code defaultValue} when the key is absent. */
    long integer(String key, long defaultValue, long min, long max);

    /** {@code true} or {@code false}, or {@code defaultValue} when the key is absent. */
    boolean bool(String key, boolean defaultValue);

    /** A list of strings (a YAML list), empty when the key is absent. */
    List<String> strings(String key);

    /** A path, relative ones resolved against the broker's installation directory. */
    Path path(String key, String defaultValue);

    /**
     * The map under {@code key}, as a section with the same typed access; an empty section when the key is absent.
     * Its {@link #keys()} are every key of that map, in the order written.
     *
     * @throws PluginConfigException if the value is not a map
     * @since 1.1
     */
    PluginConfig section(String key);

    /**
     * The list of maps under {@code key} (a YAML list of mappings), each as a section; empty when the key is absent.
     *
     * @throws PluginConfigException if the value is not a list, or an item is not a map
     * @since 1.1
     */
    List<PluginConfig> sections(String key);

    /**
     * The full name of {@code key} in this section as the broker reports it, such as
     * {@code plugins.kafka.clusters.local.bootstrap-servers}: for a plugin's own error messages.
     *
     * @since 1.1
     */
    String fullKey(String key);

    /**
     * Fails if the section holds a key not in {@code known}, so that a typo is reported instead of ignored.
     *
     * @throws PluginConfigException naming the first unknown key and the known ones
     */
    void requireOnly(Set<String> known);
}
