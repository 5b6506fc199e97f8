package io.gannet.spi;

/**
 * A plugin's configuration is invalid. The message names the full key ({@code plugins.<name>.<key>}) and what it
 * allows.
 *
 * @since 1.0
 */
@Stable
public final class PluginConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PluginConfigException(String message) {
        super(message);
    }
}
