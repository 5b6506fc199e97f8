package io.gannet.broker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core's layering, kept by the build (ADR 12). From the bottom up: the foundation (codec, topic, message,
 * config, metrics, events, auth, tls), the store ports, sessions, routing, the publish path, connections, then the
 * adapters (plugins, transport, $SYS) and the assembly ({@code io.gannet.broker} itself). A package may use only
 * packages of its own layer or below, and no two packages may depend on each other, directly or round about.
 */
class LayeringTest {
    /** The layers from the top down; each may use only those after it. */
    static final List<List<String>> LAYERS = List.of(
            List.of("io.gannet.broker"),
            List.of("io.gannet.broker.plugin..", "io.gannet.broker.transport..", "io.gannet.broker.sys..",
                    "io.gannet.broker.cluster.."),
            List.of("io.gannet.broker.connection.."),
            List.of("io.gannet.broker.publish.."),
            List.of("io.gannet.broker.routing..", "io.gannet.broker.shared.."),
            List.of("io.gannet.broker.session.."),
            List.of("io.gannet.broker.store..", "io.gannet.broker.retain.."),
            List.of("io.gannet.broker.codec..", "io.gannet.broker.topic..", "io.gannet.broker.message..",
                    "io.gannet.broker.config..", "io.gannet.broker.metrics..", "io.gannet.broker.events..",
                    "io.gannet.broker.auth..", "io.gannet.broker.tls.."));

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.gannet.broker", "io.gannet.spi");
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.gannet.broker.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void aLayerUsesOnlyTheLayersBelowIt() {
        layers().check(core);
    }

    @Test
    void theSpiKnowsNeitherNettyNorTheBroker() {
        noClasses().that().resideInAPackage("io.gannet.spi..").should().dependOnClassesThat()
                .resideInAnyPackage("io.netty..", "io.gannet.broker..").check(core);
    }

    @Test
    void storePortsSpeakGannetTypesOnly() {
        // A durable store or a cluster implements these; a Netty buffer or channel in them would tie both to one
        // connection's memory and thread.
        noClasses().that().resideInAnyPackage("io.gannet.broker.store..", "io.gannet.broker.message..")
                .should().dependOnClassesThat().resideInAPackage("io.netty..").check(core);
    }

    @Test
    void theCycleRuleCatchesADeliberateCycle() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.gannet.broker.architecture.cycle");
        assertThatThrownBy(() -> slices().matching("io.gannet.broker.architecture.cycle.(*)..").should()
                .beFreeOfCycles().check(fixture)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Cycle detected");
    }

    @Test
    void theLayerRuleCatchesALowerLayerReachingUp() throws ClassNotFoundException {
        JavaClasses withFixture = new ClassFileImporter().importClasses(
                Class.forName("io.gannet.broker.codec.UpwardsFixture"), io.gannet.broker.session.Session.class);
        assertThatThrownBy(() -> layers().withOptionalLayers(true).check(withFixture))
                .isInstanceOf(AssertionError.class).hasMessageContaining("UpwardsFixture");
    }

    static LayeredArchitecture layers() {
        LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (int i = 0; i < LAYERS.size(); i++) {
            arch = arch.layer(name(i)).definedBy(LAYERS.get(i).toArray(String[]::new));
        }
        arch = arch.whereLayer(name(0)).mayNotBeAccessedByAnyLayer();
        for (int i = 1; i < LAYERS.size(); i++) {
            String[] above = new String[i];
            for (int k = 0; k < i; k++) {
                above[k] = name(k);
            }
            arch = arch.whereLayer(name(i)).mayOnlyBeAccessedByLayers(above);
        }
        return arch;
    }

    private static String name(int layer) {
        return "layer " + layer + " " + LAYERS.get(layer);
    }
}
