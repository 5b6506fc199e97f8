package io.gannet.spi;

/**
 * The version of this SPI. A plugin records the SPI version it was built against in its jar manifest as
 * {@code Gannet-SPI-Version} (the SPI jar carries it; plugin builds copy it); the broker loads plugins of the same
 * major version and refuses others with a message that names both versions.
 *
 * @since 1.0
 */
@Stable
public final class SpiVersion {
    /** The major version: it changes only when a {@link Stable} type changes incompatibly. */
    public static final int MAJOR = 1;
    /** The minor version: it grows when types or methods are added. */
    public static final int MINOR = 4;
    /** The manifest attribute that names the SPI version a plugin jar was built against. */
    public static final String MANIFEST_ATTRIBUTE = "Gannet-SPI-Version";
    /**
     * The optional manifest attribute that names a plugin (its configuration section is {@code plugins.<name>});
     * without it, the plugin's jar or folder name is used.
     */
    public static final String NAME_ATTRIBUTE = "Gannet-Plugin-Name";

    private SpiVersion() {
    }

    /** This SPI's version as {@code major.minor}. */
    public static String current() {
        return MAJOR + "." + MINOR;
    }

    /**
     * The major version in a {@code major.minor} string.
     *
     * @throws IllegalArgumentException if the string is not of that form
     */
    public static int majorOf(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version.trim() : version.substring(0, dot).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an SPI version: '" + version + "'", e);
        }
    }

    /**
     * The minor version in a {@code major.minor} string ({@code 0} when there is none).
     *
     * @throws IllegalArgumentException if the string is not of that form
     * @since 1.1
     */
    public static int minorOf(String version) {
        int dot = version.indexOf('.');
        if (dot < 0) {
            majorOf(version);
            return 0;
        }
        try {
            return Integer.parseInt(version.substring(dot + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an SPI version: '" + version + "'", e);
        }
    }
}
