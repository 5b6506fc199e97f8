package io.gannet.plugin.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Access rules, one per line: {@code <who> <access> <pattern>}.
 * <ul>
 *   <li>who: {@code all}, {@code user:<name>}, {@code client:<client id>} or {@code listener:<listener name>}
 *   (every client connected to that listener, such as a local development port)</li>
 *   <li>access: {@code read} (subscribe), {@code write} (publish) or {@code readwrite}</li>
 *   <li>pattern: a topic filter; {@code %u} stands for the user name and {@code %c} for the client id</li>
 * </ul>
 * Everything not granted is denied. A pattern starting with a wildcard does not reach {@code $} topics, so
 * {@code $SYS} is readable only where a rule names it.
 */
final class Acl {
    enum Access { READ, WRITE, READWRITE }

    record Rule(String who, Access access, String pattern) {
    }

    private final List<Rule> rules;

    Acl(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    static final Acl DENY_ALL = new Acl(List.of());

    /** @throws IllegalArgumentException naming the file and line of the first bad rule */
    static Acl read(Path file) throws IOException {
        List<Rule> rules = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String where = file + ":" + (i + 1) + ": ";
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + "expected <who> <access> <pattern>, got '" + line + "'");
            }
            String who = parts[0];
            if (!who.equals("all") && !(who.startsWith("user:") && who.length() > 5)
                    && !(who.startsWith("client:") && who.length() > 7)
                    && !(who.startsWith("listener:") && who.length() > 9)) {
                throw new IllegalArgumentException(where + "who must be all, user:<name>, client:<id> or "
                        + "listener:<name>, not '" + who + "'");
            }
            Access access;
            try {
                access = Access.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "access must be read, write or readwrite, not '"
                        + parts[1] + "'", e);
            }
            if (!validFilter(parts[2].replace("%u", "u").replace("%c", "c"))) {
                throw new IllegalArgumentException(where + "'" + parts[2] + "' is not a valid topic filter");
            }
            rules.add(new Rule(who, access, parts[2]));
        }
        return new Acl(rules);
    }

    /** Whether the client may publish to the topic name {@code topic}. */
    boolean mayWrite(String user, String clientId, String topic) {
        return mayWrite(user, clientId, null, topic);
    }

    boolean mayWrite(String user, String clientId, String listener, String topic) {
        for (Rule r : rules) {
            if (r.access() != Access.READ && applies(r, user, clientId, listener)) {
                String p = substitute(r.pattern(), user, clientId);
                if (p != null && matches(p, topic)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the client may subscribe to the filter {@code filter}: some rule's pattern covers all of it. */
    boolean mayRead(String user, String clientId, String filter) {
        return mayRead(user, clientId, null, filter);
    }

    boolean mayRead(String user, String clientId, String listener, String filter) {
        for (Rule r : rules) {
            if (r.access() != Access.WRITE && applies(r, user, clientId, listener)) {
                String p = substitute(r.pattern(), user, clientId);
                if (p != null && covers(p, filter)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean applies(Rule r, String user, String clientId, String listener) {
        return r.who().equals("all") || (user != null && r.who().equals("user:" + user))
                || r.who().equals("client:" + clientId) || (listener != null && r.who().equals("listener:" + listener));
    }

    /** The pattern with %u and %c filled in, or null when a value is missing or would act as a wildcard. */
    private static String substitute(String pattern, String user, String clientId) {
        if (pattern.contains("%u")) {
            if (user == null || !plainLevel(user)) {
                return null;
            }
            pattern = pattern.replace("%u", user);
        }
        if (pattern.contains("%c")) {
            if (!plainLevel(clientId)) {
                return null;
            }
            pattern = pattern.replace("%c", clientId);
        }
        return pattern;
    }

    private static boolean plainLevel(String s) {
        return !s.isEmpty() && s.indexOf('/') < 0 && s.indexOf('+') < 0 && s.indexOf('#') < 0;
    }

    /** MQTT matching of a topic name by a filter [4.7]. */
    static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || (!f[i].equals("+") && !f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Whether every topic the filter {@code requested} can match is matched by {@code pattern}. */
    static boolean covers(String pattern, String requested) {
        String[] p = pattern.split("/", -1);
        String[] r = requested.split("/", -1);
        if (requested.startsWith("$") != pattern.startsWith("$") && (p[0].equals("+") || p[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (p[i].equals("#")) {
                return true;
            }
            if (i >= r.length || r[i].equals("#")) {
                return false;
            }
            if (p[i].equals("+")) {
                continue; // covers an exact level and a '+'
            }
            if (!p[i].equals(r[i])) {
                return false;
            }
        }
        return p.length == r.length;
    }

    private static boolean validFilter(String filter) {
        if (filter.isEmpty()) {
            return false;
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String l = levels[i];
            if ((l.contains("+") && !l.equals("+")) || (l.contains("#") && !(l.equals("#") && i == levels.length - 1))) {
                return false;
            }
        }
        return true;
    }
}
