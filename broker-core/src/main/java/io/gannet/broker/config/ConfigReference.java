package io.gannet.broker.config;

import java.util.List;

/**
 * Renders the configuration reference from {@link ConfigSchema}: the commented {@code conf/gannet.yaml} that ships
 * with the distribution (every key present at its default) and {@code docs/configuration.md}. A test checks both
 * files against this output; run {@code main} to print them after changing a key.
 */
public final class ConfigReference {
    private static final int WIDTH = 110;

    private ConfigReference() {
    }

    public static String yaml() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Gannet broker configuration.\n");
        sb.append("# Every key is present at its default value; edit the values you want to change.\n");
        sb.append("# Relative paths are resolved against the installation directory.\n");
        sb.append("# Reference: docs/configuration.md\n\n");
        comment(sb, "", ConfigSchema.SECTION_DOC_LISTENERS);
        sb.append("listeners:\n");
        boolean documented = false;
        for (ListenerConfig l : ConfigSchema.DISTRIBUTION_LISTENERS) {
            String[] values = {l.name(), l.bind(), Integer.toString(l.port()), l.protocol(),
                Integer.toString(l.maxConnections()), Integer.toString(l.connectionsPerSecond()),
                ConfigKey.yamlList(l.allowedOrigins())};
            for (int i = 0; i < ConfigSchema.LISTENER_KEYS.size(); i++) {
                ConfigKey<?> k = ConfigSchema.LISTENER_KEYS.get(i);
                if (!documented) {
                    comment(sb, "    ", k.doc() + " Allowed: " + k.allowedValues() + ".");
                }
                sb.append(i == 0 ? "  - " : "    ").append(k.name()).append(": ").append(values[i]).append('\n');
            }
            documented = true;
        }
        for (String section : ConfigSchema.SECTIONS) {
            sb.append('\n');
            comment(sb, "", ConfigSchema.sectionDoc(section));
            sb.append(section).append(":\n");
            for (ConfigKey<?> k : ConfigSchema.KEYS) {
                if (k.section().equals(section)) {
                    comment(sb, "  ", k.doc() + " Allowed: " + k.allowedValues() + ".");
                    sb.append("  ").append(k.name()).append(": ").append(k.yamlDefault()).append('\n');
                }
            }
            if (section.equals("plugins")) {
                sb.append(ConfigSchema.DISTRIBUTION_PLUGIN_SETTINGS);
            }
        }
        return sb.toString();
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n");
        sb.append("Gannet reads `conf/gannet.yaml` (or the file given with `bin/gannet --config <file>`). ");
        sb.append("Every key is optional and takes the default below when absent. An unknown key or a value ");
        sb.append("out of range stops start-up with a message that names the key and what it allows.\n\n");
        sb.append("This file is generated from `ConfigSchema`; a test keeps it in step with the code.\n\n");
        sb.append("## listeners\n\n").append(ConfigSchema.SECTION_DOC_LISTENERS).append(" `name` and `port` are ")
                .append("required in each item.\n\n");
        table(sb, ConfigSchema.LISTENER_KEYS, true);
        for (String section : ConfigSchema.SECTIONS) {
            sb.append("\n## ").append(section).append("\n\n").append(ConfigSchema.sectionDoc(section)).append("\n\n");
            table(sb, ConfigSchema.KEYS.stream().filter(k -> k.section().equals(section)).toList(), false);
        }
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<ConfigKey<?>> keys, boolean listItem) {
        sb.append("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        for (ConfigKey<?> k : keys) {
            sb.append("| `").append(listItem ? "listeners[]." + k.name() : k.path()).append("` | `")
                    .append(k.yamlDefault()).append("` | ").append(k.allowedValues()).append(" | ").append(k.doc())
                    .append(" |\n");
        }
    }

    private static void comment(StringBuilder sb, String indent, String text) {
        StringBuilder line = new StringBuilder(indent).append('#');
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > WIDTH) {
                sb.append(line).append('\n');
                line = new StringBuilder(indent).append('#');
            }
            line.append(' ').append(word);
        }
        sb.append(line).append('\n');
    }

    /** Prints the YAML reference, or with the argument {@code markdown}, the Markdown one. */
    public static void main(String[] args) {
        System.out.print(args.length > 0 && args[0].equals("markdown") ? markdown() : yaml());
    }
}
