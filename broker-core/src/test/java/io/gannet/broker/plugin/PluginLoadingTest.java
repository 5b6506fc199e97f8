package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import io.gannet.broker.Broker;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.SpiVersion;
import io.gannet.spi.auth.AuthenticationResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins: loading, isolation, version checks, failures, priorities and the authentication hook. */
class PluginLoadingTest {
    @TempDir
    Path tmp;
    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private Broker start(Map<String, Object> plugins, Plugin... embedded) throws Exception {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("plugins", plugins);
        root.put("sys", Map.of("interval-seconds", 0));
        GannetConfig config = ConfigLoader.fromMap(root)
                .withListeners(List.of(new ListenerConfig("test", "127.0.0.1", 0, "mqtt")));
        broker = new Broker(config);
        for (Plugin p : embedded) {
            broker.embed(p);
        }
        return broker.start();
    }

    private Mqtt3ConnAckReturnCode connect(String user) {
        Mqtt3BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3().identifier("c-" + user)
                .serverHost("127.0.0.1").serverPort(broker.address("test").getPort()).buildBlocking();
        try {
            c.connectWith().simpleAuth().username(user).password("pw".getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth().send();
            c.disconnect();
            return Mqtt3ConnAckReturnCode.SUCCESS;
        } catch (Mqtt3ConnAckException e) {
            return e.getMqttMessage().getReturnCode();
        }
    }

    /** Refuses one user, passes everyone else on. */
    public static final class Gatekeeper implements Plugin {
        @Override
        public void start(PluginContext ctx) {
            String banned = ctx.config().string("banned-user", "mallory");
            ctx.config().requireOnly(java.util.Set.of("banned-user"));
            ctx.registerAuthenticator(req -> CompletableFuture.completedFuture(
                    req.username().orElse("").equals(banned)
                            ? AuthenticationResult.refuse(AuthenticationResult.Refusal.BAD_CREDENTIALS, "banned")
                            : AuthenticationResult.next()));
        }
    }

    /** Accepts everyone. */
    public static final class Doorman implements Plugin {
        @Override
        public void start(PluginContext ctx) {
            ctx.registerAuthenticator(req -> CompletableFuture.completedFuture(AuthenticationResult.success()));
        }
    }

    /** Never answers. */
    public static final class Sleeper implements Plugin {
        @Override
        public void start(PluginContext ctx) {
            ctx.registerAuthenticator(req -> new CompletableFuture<>());
        }
    }

    /** Fails to start. */
    public static final class Broken implements Plugin {
        @Override
        public void start(PluginContext ctx) {
            throw new IllegalStateException("database unreachable");
        }
    }

    @Test
    void authenticatorsAreAskedInPriorityOrder() throws Exception {
        start(Map.of("Gatekeeper", Map.of("priority", 10)), new Doorman(), new Gatekeeper());
        assertThat(broker.plugins().startedNames()).containsExactly("Gatekeeper", "Doorman");
        assertThat(connect("alice")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(connect("mallory")).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void noDecisionFromAnyAuthenticatorRefuses() throws Exception {
        start(Map.of(), new Gatekeeper());
        assertThat(connect("alice")).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void aHookThatNeverAnswersTimesOutAndRefuses() throws Exception {
        start(Map.of("hook-timeout-ms", 200), new Sleeper());
        assertThat(connect("alice")).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE);
    }

    @Test
    void aPluginThatFailsToStartIsLeftOut() throws Exception {
        start(Map.of(), new Broken(), new Doorman());
        assertThat(broker.plugins().startedNames()).containsExactly("Doorman");
        assertThat(broker.plugins().refused()).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("database unreachable"));
        assertThat(connect("alice")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
    }

    @Test
    void badPluginConfigurationNamesTheKey() throws Exception {
        start(Map.of("Gatekeeper", Map.of("banned-usr", "x")), new Gatekeeper(), new Doorman());
        assertThat(broker.plugins().refused()).singleElement().satisfies(r -> assertThat(r.reason())
                .contains("plugins.Gatekeeper.banned-usr").contains("banned-user"));
    }

    @Test
    void disabledInConfigIsNotStarted() throws Exception {
        start(Map.of("Gatekeeper", Map.of("enabled", false)), new Gatekeeper());
        assertThat(broker.plugins().startedNames()).isEmpty();
        assertThat(connect("mallory")).as("allow-all again").isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
    }

    @Test
    void jarPluginsGetTheirOwnClassLoaders() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        // Two plugins bundle different versions of the same library class; each must see its own.
        PluginJars.build(work, "../plugins/alpha.jar", PluginJars.authPlugin("alpha", "a", "1"), "alpha.AuthPlugin",
                "1.0");
        Path beta = Files.createDirectories(plugins.resolve("beta"));
        PluginJars.build(work, "../plugins/beta/beta.jar", PluginJars.authPlugin("beta", "b", "2"), "beta.AuthPlugin",
                "1.1");
        // Built for another major SPI version: refused with a clear reason.
        PluginJars.build(work, "../plugins/future.jar", PluginJars.authPlugin("future", "f", "9"), "future.AuthPlugin",
                "2.0");
        // Built for a newer minor SPI: it may call what this broker lacks, so it is refused too.
        PluginJars.build(work, "../plugins/newer.jar", PluginJars.authPlugin("newer", "n", "8"), "newer.AuthPlugin",
                "1.9");
        // Switched off by a marker file.
        Path off = Files.createDirectories(plugins.resolve("off"));
        PluginJars.build(work, "../plugins/off/off.jar", PluginJars.authPlugin("off", "o", "0"), "off.AuthPlugin", "1.0");
        Files.writeString(off.resolve("DISABLED"), "");
        assertThat(beta).isDirectory();

        start(Map.of("directory", plugins.toString()));
        assertThat(broker.plugins().startedNames()).containsExactlyInAnyOrder("alpha", "beta");
        assertThat(broker.plugins().refused()).extracting(PluginManager.Refused::name)
                .containsExactlyInAnyOrder("future", "newer", "off");
        assertThat(broker.plugins().refused()).filteredOn(r -> r.name().equals("future")).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("2.0").contains(SpiVersion.current()));
        assertThat(broker.plugins().refused()).filteredOn(r -> r.name().equals("newer")).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("1.9").contains("newer than"));
        assertThat(connect("a")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(connect("b")).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(connect("f")).as("the refused plugin has no say").isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void pluginsCannotSeeBrokerInternals() throws Exception {
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        PluginJars.build(work, "../plugins/snoop.jar", Map.of("snoop/Snoop.java", """
                package snoop;
                import io.gannet.spi.*;
                public class Snoop implements Plugin {
                    public void start(PluginContext ctx) throws Exception {
                        Class.forName("io.netty.buffer.ByteBuf", false, getClass().getClassLoader());
                    }
                }
                """), "snoop.Snoop", "1.0");
        start(Map.of("directory", plugins.toString()));
        assertThat(broker.plugins().refused()).singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("ClassNotFoundException").contains("io.netty"));
        List<String> none = new ArrayList<>(broker.plugins().startedNames());
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> broker.embed(new Doorman())).isInstanceOf(IllegalStateException.class);
    }
}
