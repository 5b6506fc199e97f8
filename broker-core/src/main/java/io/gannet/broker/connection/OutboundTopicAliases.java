package io.gannet.broker.connection;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topic aliases the broker sets up towards one 5.0 client, at most the smaller of the client's Topic Alias
 * Maximum and the broker's configured maximum [MQTT-3.3.2-10]. Two policies: {@code lru} hands the alias of the
 * least recently used topic to a new topic once all are taken; {@code first-come} keeps the first topics and sends
 * the rest in full. Lives as long as the connection; touched on its event loop only.
 */
final class OutboundTopicAliases {
    private final int maximum;
    private final boolean lru;
    private final Map<String, Integer> aliases;
    private int nextAlias = 1;

    /** Most clients allow no aliases: they all share this one, which holds nothing and never changes. */
    private static final OutboundTopicAliases NONE = new OutboundTopicAliases(0, false);

    private OutboundTopicAliases(int maximum, boolean lru) {
        this.maximum = maximum;
        this.lru = lru;
        this.aliases = maximum == 0 ? Map.of() : lru ? new LinkedHashMap<>(16, 0.75f, true) : new HashMap<>();
    }

    /** The aliases towards a client, at most {@code maximum}; {@code lru} picks the policy once all are taken. */
    static OutboundTopicAliases of(int maximum, boolean lru) {
        return maximum == 0 ? NONE : new OutboundTopicAliases(maximum, lru);
    }

    /** Whether this client takes topic aliases from the broker at all. */
    boolean enabled() {
        return maximum > 0;
    }

    /**
     * The alias to send {@code topic} with: positive when the client already knows it (send an empty topic),
     * negative when it is new (send the topic and the alias, which sets it up), 0 for no alias.
     */
    int aliasFor(String topic) {
        if (maximum == 0) {
            return 0;
        }
        Integer known = aliases.get(topic); // in lru mode, also marks the topic as recently used
        if (known != null) {
            return known;
        }
        int alias;
        if (nextAlias <= maximum) {
            alias = nextAlias++;
        } else if (lru) {
            Iterator<Map.Entry<String, Integer>> eldest = aliases.entrySet().iterator();
            alias = eldest.next().getValue();
            eldest.remove();
        } else {
            return 0;
        }
        aliases.put(topic, alias);
        return -alias;
    }
}
