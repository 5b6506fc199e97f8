package io.gannet.broker.topic;

/**
 * The syntax rules for topic names and topic filters (section 4.7). Both are at least one character long
 * [MQTT-4.7.3-1]; a name holds no wildcard [MQTT-3.3.2-2]; in a filter, '#' stands alone as the last level
 * [MQTT-4.7.1-1] and '+' fills a whole level [MQTT-4.7.1-2].
 */
public final class Topics {
    /** The prefix of a shared subscription filter, {@code $share/{group}/{filter}} (5.0, section 4.8.2). */
    public static final String SHARE_PREFIX = "$share/";

    private Topics() {
    }

    /** Whether {@code name} is a valid topic name: not empty, no '+' or '#'. */
    public static boolean isValidName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '+' || c == '#') {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code filter} is a valid topic filter, the wildcards standing where section 4.7.1 allows. */
    public static boolean isValidFilter(String filter) {
        int length = filter.length();
        if (length == 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = filter.charAt(i);
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == length - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel || (c == '#' && i != length - 1)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a filter holds a wildcard. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }
}
