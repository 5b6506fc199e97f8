package io.gannet.broker.plugin;

import io.gannet.spi.Plugin;
import io.gannet.spi.SpiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real plugin jars in a test: compiles Java sources against the SPI with the JDK's compiler and packs them
 * with a manifest and a service file, as a plugin author's build would.
 */
final class PluginJars {
    private PluginJars() {
    }

    /**
     * @param sources    file path (like {@code example/APlugin.java}) to source text
     * @param pluginClass the class to list in {@code META-INF/services/io.gannet.spi.Plugin}
     * @param spiVersion the manifest's {@code Gannet-SPI-Version}, or {@code null} for none
     */
    static Path build(Path dir, String jarName, Map<String, String> sources, String pluginClass, String spiVersion)
            throws IOException {
        Path src = Files.createTempDirectory(dir, "src");
        Path classes = Files.createTempDirectory(dir, "classes");
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            files.add(f.toString());
        }
        String classpath = location(Plugin.class) + java.io.File.pathSeparator + location(org.slf4j.Logger.class);
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classpath, "--release", "17"));
        args.addAll(files);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("compiling the test plugin failed");
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (spiVersion != null) {
            manifest.getMainAttributes().putValue(SpiVersion.MANIFEST_ATTRIBUTE, spiVersion);
        }
        Path jar = dir.resolve(jarName);
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.gannet.spi.Plugin"));
            OutputStream o = out;
            o.write((pluginClass + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A plugin whose authenticator accepts user {@code user} only if the library class {@code shared.lib.Version}
     * it bundles reports {@code libVersion}, and passes every other user on.
     */
    static Map<String, String> authPlugin(String pkg, String user, String libVersion) {
        return Map.of(
                pkg + "/AuthPlugin.java", """
                        package %s;
                        import io.gannet.spi.*;
                        import io.gannet.spi.auth.*;
                        import java.util.concurrent.CompletableFuture;
                        public class AuthPlugin implements Plugin {
                            public void start(PluginContext ctx) {
                                ctx.registerAuthenticator(req -> CompletableFuture.completedFuture(
                                    !req.username().orElse("").equals("%s") ? AuthenticationResult.next()
                                    : shared.lib.Version.value().equals("%s") ? AuthenticationResult.success()
                                    : AuthenticationResult.refuse(AuthenticationResult.Refusal.NOT_AUTHORIZED,
                                        "saw library " + shared.lib.Version.value())));
                            }
                        }
                        """.formatted(pkg, user, libVersion),
                "shared/lib/Version.java", """
                        package shared.lib;
                        public class Version {
                            public static String value() { return "%s"; }
                        }
                        """.formatted(libVersion));
    }
}
