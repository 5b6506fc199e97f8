package io.gannet.broker.plugin;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The class loader of one plugin: child-first over the plugin's own jars, so two plugins can bring different
 * versions of a library; only the JDK, the plugin SPI and the SLF4J API come from the broker. Broker internals
 * (and the broker's own libraries, such as Netty) are invisible to plugins.
 */
final class PluginClassLoader extends URLClassLoader {
    static {
        ClassLoader.registerAsParallelCapable();
    }

    /** Packages shared with the broker: the SPI and the logging API the SPI exposes. */
    private static final String[] SHARED = {"io.gannet.spi.", "org.slf4j."};

    private final ClassLoader broker;

    PluginClassLoader(String name, URL[] jars, ClassLoader broker) {
        // The parent is the platform loader: JDK classes only. Shared packages are delegated explicitly.
        super("plugin-" + name, jars, ClassLoader.getPlatformClassLoader());
        this.broker = broker;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        for (String prefix : SHARED) {
            if (name.startsWith(prefix)) {
                return broker.loadClass(name);
            }
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                try {
                    c = findClass(name); // child first
                } catch (ClassNotFoundException notInPlugin) {
                    c = super.loadClass(name, false); // then the JDK
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    public URL getResource(String name) {
        URL own = findResource(name);
        return own != null ? own : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        // Only the plugin's own resources: its META-INF/services must not list the broker's or another plugin's.
        Enumeration<URL> own = findResources(name);
        return own.hasMoreElements() ? own : Collections.emptyEnumeration();
    }
}
