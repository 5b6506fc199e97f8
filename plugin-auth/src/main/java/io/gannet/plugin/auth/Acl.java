package io.gannet.plugin.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Access rules, one per line: {@code <who> <access> <pattern>} grants, {@code deny <who> <access> <pattern>} takes
 * away, whatever grants it (deny rules are checked first, as Mosquitto's {@code topic deny}).
 * <ul>
 *   <li>who: {@code all}, {@code user:<name>}, {@code client:<client id>} or {@code listener:<listener name>}
 *   (every client connected to that listener, such as a local development port)</li>
 *   <li>access: {@code read} (subscribe), {@code write} (publish) or {@code readwrite}</li>
 *   <li>pattern: a topic filter; {@code %u} stands for the user name and {@code %c} for the client id. A
 *   {@code read} pattern {@code $share/<group>/<filter>} is about shared subscriptions of that group only
 *   ({@code +}: any group); a plain pattern is about plain and shared subscriptions alike</li>
 * </ul>
 * Everything not granted is denied. A pattern starting with a wildcard does not reach {@code $} topics, so
 * {@code $SYS} is readable only where a rule names it. A deny rule refuses a publish to a topic it matches, and a
 * subscription to any filter that could receive a topic it matches ({@code sensors/#} under
 * {@code deny all read sensors/secret/#}): the broker checks subscriptions, not each message.
 */
final class Acl {
    enum Access { READ, WRITE, READWRITE }

    /** @param deny whether it takes access away rather than grants it */
    record Rule(String who, Access access, String pattern, boolean deny) {
        Rule(String who, Access access, String pattern) {
            this(who, access, pattern, false);
        }
    }

    private static final String SHARE = "$share/";

    private final List<Rule> rules;

    Acl(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    static final Acl DENY_ALL = new Acl(List.of());

    /** @throws IllegalArgumentException naming the file and line of the first bad rule */
    static Acl read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @param source where the lines come from, for messages
     * @throws IllegalArgumentException naming the source and line of the first bad rule
     */
    static Acl parse(List<String> lines, String source) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String where = source + ":" + (i + 1) + ": ";
            boolean deny = parts[0].equals("deny");
            if (deny) {
                parts = java.util.Arrays.copyOfRange(parts, 1, parts.length);
            }
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + "expected " + (deny ? "deny " : "")
                        + "<who> <access> <pattern>, got '" + line + "'");
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
            if (parts[2].startsWith(SHARE)) {
                String[] shared = parts[2].split("/", 3);
                if (access != Access.READ || shared.length < 3 || shared[1].isEmpty() || shared[2].isEmpty()
                        || shared[1].equals("#")) {
                    throw new IllegalArgumentException(where + "a shared subscription rule is 'read "
                            + "$share/<group or +>/<filter>', not '" + parts[1] + " " + parts[2] + "'");
                }
            }
            rules.add(new Rule(who, access, parts[2], deny));
        }
        return new Acl(rules);
    }

    /** Whether the client may publish to the topic name {@code topic}. */
    boolean mayWrite(String user, String clientId, String topic) {
        return mayWrite(user, clientId, null, topic);
    }

    boolean mayWrite(String user, String clientId, String listener, String topic) {
        boolean granted = false;
        for (Rule r : rules) {
            if (r.access() != Access.READ && applies(r, user, clientId, listener)) {
                String p = substitute(r.pattern(), user, clientId);
                if (r.deny() && (p == null ? unsafeName(r, user) : matches(p, topic))) {
                    return false;
                }
                granted |= !r.deny() && p != null && matches(p, topic);
            }
        }
        return granted;
    }

    /** Whether the client may subscribe to the filter {@code filter}: some rule's pattern covers all of it. */
    boolean mayRead(String user, String clientId, String filter) {
        return mayRead(user, clientId, null, filter, null);
    }

    boolean mayRead(String user, String clientId, String listener, String filter) {
        return mayRead(user, clientId, listener, filter, null);
    }

    /** @param shareName the group of a shared subscription to {@code filter}, or {@code null} for a plain one */
    boolean mayRead(String user, String clientId, String listener, String filter, String shareName) {
        boolean granted = false;
        for (Rule r : rules) {
            if (r.access() != Access.WRITE && applies(r, user, clientId, listener)
                    && aboutGroup(r.pattern(), shareName)) {
                String p = substitute(withoutGroup(r.pattern()), user, clientId);
                if (r.deny() && (p == null ? unsafeName(r, user) : overlaps(p, filter))) {
                    return false;
                }
                granted |= !r.deny() && p != null && covers(p, filter);
            }
        }
        return granted;
    }

    /** Whether a pattern is about this kind of subscription: a {@code $share/} one only about its own group. */
    private static boolean aboutGroup(String pattern, String shareName) {
        if (!pattern.startsWith(SHARE)) {
            return true;
        }
        String group = pattern.substring(SHARE.length(), pattern.indexOf('/', SHARE.length()));
        return shareName != null && (group.equals("+") || group.equals(shareName));
    }

    private static String withoutGroup(String pattern) {
        return pattern.startsWith(SHARE) ? pattern.substring(pattern.indexOf('/', SHARE.length()) + 1) : pattern;
    }

    private static boolean applies(Rule r, String user, String clientId, String listener) {
        return r.who().equals("all") || (user != null && r.who().equals("user:" + user))
                || r.who().equals("client:" + clientId) || (listener != null && r.who().equals("listener:" + listener));
    }

    /**
     * A deny rule whose pattern could not be filled in: it denies, to be safe, when a name was there but could not
     * stand in a pattern; a rule about {@code %u} does not apply to a client without a user name.
     */
    private static boolean unsafeName(Rule r, String user) {
        return !(r.pattern().contains("%u") && user == null);
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

    /**
     * Whether a user name or client id can stand in a pattern as one plain level: not empty, no {@code /}, {@code +}
     * or {@code #} (it would widen the pattern), not starting with {@code $} (it would reach the broker's topics),
     * and no control characters.
     */
    static boolean plainLevel(String s) {
        if (s.isEmpty() || s.charAt(0) == '$') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '+' || c == '#' || c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                return false;
            }
        }
        return true;
    }

    /** Whether some topic name is matched by both filters. */
    static boolean overlaps(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        boolean xWild = x[0].equals("+") || x[0].equals("#");
        boolean yWild = y[0].equals("+") || y[0].equals("#");
        // A filter starting with a wildcard never matches a $ topic [MQTT-4.7.2-1].
        if ((xWild && y[0].startsWith("$")) || (yWild && x[0].startsWith("$"))) {
            return false;
        }
        for (int i = 0; ; i++) {
            boolean xEnd = i >= x.length;
            boolean yEnd = i >= y.length;
            if (xEnd || yEnd) {
                // '#' also matches its parent level: a/# and a meet at a.
                return (xEnd && yEnd) || (xEnd && y[i].equals("#")) || (yEnd && x[i].equals("#"));
            }
            if (x[i].equals("#") || y[i].equals("#")) {
                return true;
            }
            if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
                return false;
            }
        }
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
