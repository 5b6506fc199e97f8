package io.gannet.broker.plugin;

import io.gannet.broker.config.PluginsConfig;
import io.gannet.spi.Plugin;
import io.gannet.spi.SpiVersion;
import io.gannet.spi.auth.ConnectAuthenticator;
import io.gannet.spi.auth.TopicAuthorizer;
import java.util.concurrent.atomic.AtomicLong;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds, starts and stops plugins: plugin instances handed over by an embedding application, and each jar (or
 * folder of jars) in the plugins directory, in its own {@link PluginClassLoader}. A plugin built for another
 * major SPI version, one whose start fails, and one switched off ({@code enabled: false} or a {@code DISABLED}
 * file in its folder) are left out with a log line; the broker runs on without them.
 */
public final class PluginManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginManager.class);

    /** A plugin that started. */
    record Started(String name, Plugin plugin, DefaultPluginContext context, PluginClassLoader loader) {
    }

    /** A plugin found but not started, and why. */
    public record Refused(String name, String reason) {
    }

    private record Candidate(String name, Plugin plugin, PluginClassLoader loader) {
    }

    private final PluginsConfig config;
    private final Path home;
    private final List<Started> started = new ArrayList<>();
    private final List<Refused> refused = new ArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final AtomicLong authorizationEpoch;
    private final PluginServices services;

    /**
     * @param authorizationEpoch moved on when a plugin invalidates authorization decisions
     * @param services           what the broker lends plugins
     */
    public PluginManager(PluginsConfig config, Path home, AtomicLong authorizationEpoch, PluginServices services) {
        this.config = config;
        this.services = services;
        this.home = home;
        this.authorizationEpoch = authorizationEpoch;
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "gannet-plugins");
            t.setDaemon(true);
            return t;
        });
    }

    /** Finds and starts every plugin, in priority order (higher first, then by name). */
    public void start(List<Plugin> embedded) {
        List<Candidate> candidates = new ArrayList<>();
        for (Plugin p : embedded) {
            candidates.add(new Candidate(p.getClass().getSimpleName(), p, null));
        }
        candidates.addAll(fromDirectory(home.resolve(config.directory()).normalize()));
        candidates.sort(Comparator.comparingInt((Candidate c) -> -priority(c.name())).thenComparing(Candidate::name));
        for (Candidate c : candidates) {
            Map<String, Object> section = config.sections().getOrDefault(c.name(), Map.of());
            if (Boolean.FALSE.equals(section.get("enabled"))) {
                refuse(c, "enabled: false in plugins." + c.name());
                continue;
            }
            DefaultPluginContext ctx = new DefaultPluginContext(c.name(),
                    new PluginConfigSection(c.name(), section, home), home, scheduler, authorizationEpoch, services);
            try {
                c.plugin().start(ctx);
                started.add(new Started(c.name(), c.plugin(), ctx, c.loader()));
                log.info("Plugin '{}' started", c.name());
            } catch (Exception | LinkageError e) {
                log.error("Plugin '{}' failed to start and is left out: {}", c.name(), e.toString(), e);
                refuse(c, "failed to start: " + e);
            }
        }
        for (String name : config.sections().keySet()) {
            if (candidates.stream().noneMatch(c -> c.name().equals(name))) {
                log.warn("plugins.{} is configured, but no plugin named '{}' was found in {}", name, name,
                        home.resolve(config.directory()));
            }
        }
    }

    private int priority(String name) {
        Object p = config.sections().getOrDefault(name, Map.of()).get("priority");
        return p instanceof Number n ? n.intValue() : 0;
    }

    private void refuse(Candidate c, String reason) {
        refused.add(new Refused(c.name(), reason));
        closeQuietly(c.loader());
    }

    private List<Candidate> fromDirectory(Path dir) {
        List<Candidate> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            log.error("Cannot list the plugins directory {}: {}", dir, e.toString());
            return found;
        }
        for (Path entry : entries) {
            String file = entry.getFileName().toString();
            List<Path> jars;
            String name;
            if (Files.isDirectory(entry)) {
                name = file;
                if (Files.exists(entry.resolve("DISABLED"))) {
                    log.info("Plugin '{}' is disabled (DISABLED file in {})", name, entry);
                    refused.add(new Refused(name, "DISABLED file"));
                    continue;
                }
                try (Stream<Path> s = Files.list(entry)) {
                    jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
                } catch (IOException e) {
                    refused.add(new Refused(name, "cannot list " + entry + ": " + e));
                    continue;
                }
            } else if (file.endsWith(".jar")) {
                name = file.substring(0, file.length() - ".jar".length());
                jars = List.of(entry);
            } else {
                continue;
            }
            found.addAll(load(name, jars));
        }
        return found;
    }

    private List<Candidate> load(String fileName, List<Path> jars) {
        java.util.jar.Attributes manifest = manifest(jars);
        String spi = manifest == null ? null : manifest.getValue(SpiVersion.MANIFEST_ATTRIBUTE);
        String declared = manifest == null ? null : manifest.getValue(SpiVersion.NAME_ATTRIBUTE);
        String name = declared == null || declared.isBlank() ? fileName : declared.trim();
        if (spi == null) {
            log.error("Plugin '{}' is left out: its jar does not say which SPI it was built for (manifest "
                    + "attribute {}); this broker provides SPI {}", name, SpiVersion.MANIFEST_ATTRIBUTE,
                    SpiVersion.current());
            refused.add(new Refused(name, "no " + SpiVersion.MANIFEST_ATTRIBUTE + " in its manifest"));
            return List.of();
        }
        int major;
        int minor;
        try {
            major = SpiVersion.majorOf(spi);
            minor = SpiVersion.minorOf(spi);
        } catch (IllegalArgumentException e) {
            refused.add(new Refused(name, e.getMessage()));
            return List.of();
        }
        if (major != SpiVersion.MAJOR) {
            log.error("Plugin '{}' is left out: it was built for SPI {}, and this broker provides SPI {}; rebuild it "
                    + "against gannet-plugins-spi {}.x", name, spi, SpiVersion.current(), SpiVersion.MAJOR);
            refused.add(new Refused(name, "built for SPI " + spi + ", broker provides " + SpiVersion.current()));
            return List.of();
        }
        if (minor > SpiVersion.MINOR) {
            // It may call what this broker does not have yet: better refused now than a NoSuchMethodError later.
            log.error("Plugin '{}' is left out: it was built for SPI {}, newer than this broker's SPI {}; use a newer "
                    + "broker", name, spi, SpiVersion.current());
            refused.add(new Refused(name, "built for SPI " + spi + ", newer than the broker's " + SpiVersion.current()));
            return List.of();
        }
        URL[] urls = new URL[jars.size()];
        try {
            for (int i = 0; i < jars.size(); i++) {
                urls[i] = jars.get(i).toUri().toURL();
            }
        } catch (MalformedURLException e) {
            refused.add(new Refused(name, e.toString()));
            return List.of();
        }
        PluginClassLoader loader = new PluginClassLoader(name, urls, Plugin.class.getClassLoader());
        List<Candidate> plugins = new ArrayList<>();
        try {
            for (Plugin p : ServiceLoader.load(Plugin.class, loader)) {
                plugins.add(new Candidate(name, p, loader));
            }
        } catch (java.util.ServiceConfigurationError | LinkageError e) {
            log.error("Plugin '{}' could not be loaded: {}", name, e.toString());
            refused.add(new Refused(name, "could not be loaded: " + e));
            closeQuietly(loader);
            return List.of();
        }
        if (plugins.isEmpty()) {
            refused.add(new Refused(name, "no io.gannet.spi.Plugin listed in META-INF/services"));
            log.error("Plugin '{}' is left out: no io.gannet.spi.Plugin in META-INF/services", name);
            closeQuietly(loader);
        }
        return plugins;
    }

    /** The main manifest attributes of the plugin's jar: the first of its jars that names an SPI version. */
    private static java.util.jar.Attributes manifest(List<Path> jars) {
        for (Path jar : jars) {
            try (JarFile j = new JarFile(jar.toFile())) {
                if (j.getManifest() != null
                        && j.getManifest().getMainAttributes().getValue(SpiVersion.MANIFEST_ATTRIBUTE) != null) {
                    return j.getManifest().getMainAttributes();
                }
            } catch (IOException e) {
                log.warn("Cannot read {}: {}", jar, e.toString());
            }
        }
        return null;
    }

    /** Every authenticator the started plugins registered, in plugin priority order. */
    public List<ConnectAuthenticator> authenticators() {
        return registered(c -> c.authenticators);
    }

    /** Every authorizer the started plugins registered, in plugin priority order. */
    public List<TopicAuthorizer> authorizers() {
        return registered(c -> c.authorizers);
    }

    /** Every TLS provider the started plugins registered, in plugin priority order. */
    public List<io.gannet.spi.tls.TlsProvider> tlsProviders() {
        return registered(c -> c.tlsProviders);
    }

    /** Every event listener the started plugins registered, in plugin priority order. */
    public List<io.gannet.spi.events.BrokerEventListener> eventListeners() {
        return registered(c -> c.eventListeners);
    }

    /** Every enhanced authenticator the started plugins registered, in plugin priority order. */
    public List<io.gannet.spi.auth.EnhancedAuthenticator> enhancedAuthenticators() {
        return registered(c -> c.enhancedAuthenticators);
    }

    /** Every inbound publish interceptor the started plugins registered, in plugin priority order. */
    public List<io.gannet.spi.publish.InboundPublishInterceptor> inboundInterceptors() {
        return registered(c -> c.inboundInterceptors);
    }

    /** Every outbound publish interceptor the started plugins registered, in plugin priority order. */
    public List<io.gannet.spi.publish.OutboundPublishInterceptor> outboundInterceptors() {
        return registered(c -> c.outboundInterceptors);
    }

    private <T> List<T> registered(java.util.function.Function<DefaultPluginContext, List<T>> kind) {
        List<T> all = new ArrayList<>();
        for (Started s : started) {
            all.addAll(kind.apply(s.context()));
        }
        return all;
    }

    /** The names of the plugins that started, in order. */
    public List<String> startedNames() {
        return started.stream().map(Started::name).toList();
    }

    /** The plugins found but not started, with the reason. */
    public List<Refused> refused() {
        return List.copyOf(refused);
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Stops the plugins in reverse start order, then their scheduler and class loaders. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Started s = started.get(i);
            try {
                s.plugin().stop();
            } catch (RuntimeException | LinkageError e) {
                log.warn("Plugin '{}' failed to stop cleanly: {}", s.name(), e.toString());
            }
        }
        scheduler.shutdownNow();
        for (Started s : started) {
            closeQuietly(s.loader());
        }
        started.clear();
    }

    private static void closeQuietly(PluginClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                log.debug("Closing a plugin class loader: {}", e.toString());
            }
        }
    }
}
