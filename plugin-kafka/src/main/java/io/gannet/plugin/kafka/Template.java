package io.gannet.plugin.kafka;

import io.gannet.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with {@code ${...}} variables, such as {@code devices/${key}/commands} or {@code ${topic[1]}}: parsed once
 * at start, where an unknown variable stops the plugin with the key named, then filled for each message.
 *
 * <p>Variables: {@code ${topic}}, {@code ${topic[N]}} (level N of the MQTT topic, from 0), {@code ${client-id}},
 * {@code ${username}}, {@code ${user-property:NAME}} for MQTT to Kafka; {@code ${key}}, {@code ${kafka-topic}},
 * {@code ${header:NAME}} for Kafka to MQTT. Which of them a template may use is given by the direction.
 */
final class Template {
    /** Kinds of variable, each with what it needs from the message. */
    enum Kind { TOPIC, TOPIC_LEVEL, CLIENT_ID, USERNAME, USER_PROPERTY, KEY, KAFKA_TOPIC, HEADER }

    /** The variables MQTT to Kafka templates may use. */
    static final Set<Kind> TO_KAFKA = Set.of(Kind.TOPIC, Kind.TOPIC_LEVEL, Kind.CLIENT_ID, Kind.USERNAME,
            Kind.USER_PROPERTY);
    /** The variables Kafka to MQTT templates may use. */
    static final Set<Kind> FROM_KAFKA = Set.of(Kind.KEY, Kind.KAFKA_TOPIC, Kind.HEADER);

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern TOPIC_LEVEL = Pattern.compile("topic\\[(\\d{1,4})]");

    /** One variable: its kind, and the level or name it takes. */
    record Variable(Kind kind, int level, String name) {
    }

    /** Gives a variable's value for one message, or {@code null} when the message has none. */
    @FunctionalInterface
    interface Values {
        String value(Variable v);
    }

    private final String text;
    private final String[] literals; // literals[i] comes before variables[i]; the last one after the last variable
    private final Variable[] variables;
    /** One variable and no text around it. */
    private final boolean isBare;

    private Template(String text, String[] literals, Variable[] variables) {
        this.text = text;
        this.literals = literals;
        this.variables = variables;
        this.isBare = variables.length == 1 && literals[0].isEmpty() && literals[1].isEmpty();
    }

    /**
     * Parses {@code text}, the value of {@code key}.
     *
     * @throws PluginConfigException naming the key when a variable is unknown, not allowed here, or not closed
     */
    static Template parse(String text, Set<Kind> allowed, String key) {
        List<String> literals = new ArrayList<>();
        List<Variable> variables = new ArrayList<>();
        Matcher m = VARIABLE.matcher(text);
        int at = 0;
        while (m.find()) {
            literals.add(text.substring(at, m.start()));
            Variable v = variable(m.group(1), key);
            if (!allowed.contains(v.kind())) {
                throw new PluginConfigException(key + ": the variable ${" + m.group(1) + "} cannot be used here; "
                        + "allowed: " + names(allowed));
            }
            variables.add(v);
            at = m.end();
        }
        String rest = text.substring(at);
        if (rest.contains("${")) {
            throw new PluginConfigException(key + ": '" + text + "' has a '${' that is not closed by '}'");
        }
        literals.add(rest);
        return new Template(text, literals.toArray(String[]::new), variables.toArray(Variable[]::new));
    }

    private static Variable variable(String inside, String key) {
        switch (inside) {
            case "topic": return new Variable(Kind.TOPIC, 0, null);
            case "client-id": return new Variable(Kind.CLIENT_ID, 0, null);
            case "username": return new Variable(Kind.USERNAME, 0, null);
            case "key": return new Variable(Kind.KEY, 0, null);
            case "kafka-topic": return new Variable(Kind.KAFKA_TOPIC, 0, null);
            default: break;
        }
        Matcher level = TOPIC_LEVEL.matcher(inside);
        if (level.matches()) {
            return new Variable(Kind.TOPIC_LEVEL, Integer.parseInt(level.group(1)), null);
        }
        if (inside.startsWith("user-property:") && inside.length() > "user-property:".length()) {
            return new Variable(Kind.USER_PROPERTY, 0, inside.substring("user-property:".length()));
        }
        if (inside.startsWith("header:") && inside.length() > "header:".length()) {
            return new Variable(Kind.HEADER, 0, inside.substring("header:".length()));
        }
        throw new PluginConfigException(key + ": unknown variable ${" + inside + "}; known: ${topic}, ${topic[N]}, "
                + "${client-id}, ${username}, ${user-property:NAME}, ${key}, ${kafka-topic}, ${header:NAME}");
    }

    private static String names(Set<Kind> kinds) {
        StringBuilder b = new StringBuilder();
        for (Kind k : Kind.values()) {
            if (kinds.contains(k)) {
                b.append(b.length() == 0 ? "" : ", ").append(switch (k) {
                    case TOPIC -> "${topic}";
                    case TOPIC_LEVEL -> "${topic[N]}";
                    case CLIENT_ID -> "${client-id}";
                    case USERNAME -> "${username}";
                    case USER_PROPERTY -> "${user-property:NAME}";
                    case KEY -> "${key}";
                    case KAFKA_TOPIC -> "${kafka-topic}";
                    case HEADER -> "${header:NAME}";
                });
            }
        }
        return b.toString();
    }

    /** Whether the template is plain text, the same for every message. */
    boolean isConstant() {
        return variables.length == 0;
    }

    /** Whether the template is exactly one variable of this kind, such as {@code ${topic}}. */
    boolean isOnly(Kind kind) {
        return isBare && variables[0].kind() == kind;
    }

    /** Whether the template uses a variable of this kind. */
    boolean uses(Kind kind) {
        for (Variable v : variables) {
            if (v.kind() == kind) {
                return true;
            }
        }
        return false;
    }

    /**
     * The template filled for one message.
     *
     * @throws UnfilledException when the message lacks a variable's value (a level beyond its topic, a missing
     *                           header or user property, a null key)
     */
    String fill(Values values) {
        if (variables.length == 0) {
            return literals[0];
        }
        if (isBare) { // "${topic}" and the like, the most common forms: the value itself, no copy
            String v = values.value(variables[0]);
            if (v == null) {
                throw new UnfilledException(text, variables[0]);
            }
            return v;
        }
        StringBuilder b = new StringBuilder(text.length() + 32);
        for (int i = 0; i < variables.length; i++) {
            b.append(literals[i]);
            String v = values.value(variables[i]);
            if (v == null) {
                throw new UnfilledException(text, variables[i]);
            }
            b.append(v);
        }
        return b.append(literals[variables.length]).toString();
    }

    @Override
    public String toString() {
        return text;
    }

    /** A message lacks what a template needs. */
    static final class UnfilledException extends RuntimeException {
        UnfilledException(String template, Variable v) {
            super("the message has no value for " + describe(v) + " in '" + template + "'", null, false, false);
        }

        private static String describe(Variable v) {
            return switch (v.kind()) {
                case TOPIC_LEVEL -> "topic level " + v.level();
                case USER_PROPERTY -> "user property '" + v.name() + "'";
                case HEADER -> "header '" + v.name() + "'";
                default -> v.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            };
        }
    }
}
