package io.gannet.broker.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The start of a command line for a child JVM that runs the broker as {@code bin/gannet} does. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * This JVM's {@code java}, with the module flags this test JVM was given (the ones Chronicle needs, from
     * surefire's argLine), so that a forked broker runs with the flags a user's start script gives it.
     */
    public static List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("--sun-misc") || arg.startsWith("-Dchronicle")) {
                command.add(arg);
            }
        }
        return command;
    }
}
