package io.gannet.broker.publish;

import io.gannet.broker.auth.Authorizer.Action;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The authorization decisions of one connection, by action and topic, so that a client publishing to the same
 * topic again is not asked about again. All caches are emptied together when a plugin says its rules changed (the
 * shared epoch moves on). Bounded: when full it starts over. Touched on the connection's event loop only.
 */
public final class AuthorizationCache {
    private static final int MAX_ENTRIES = 1024;

    private final AtomicLong epoch;
    private long seenEpoch;
    // Made on the first decision: without an authorizer (or before the first question) a connection pays nothing.
    private Map<String, Boolean> publish;
    private Map<String, Boolean> subscribe;

    /** @param epoch moves on when plugins say their rules changed */
    public AuthorizationCache(AtomicLong epoch) {
        this.epoch = epoch;
        this.seenEpoch = epoch.get();
    }

    /** The cached decision, or {@code null}. */
    Boolean get(Action action, String topic) {
        long now = epoch.get();
        if (now != seenEpoch) {
            seenEpoch = now;
            publish = null;
            subscribe = null;
            return null;
        }
        Map<String, Boolean> m = action == Action.PUBLISH ? publish : subscribe;
        return m == null ? null : m.get(topic);
    }

    void put(Action action, String topic, boolean allowed) {
        Map<String, Boolean> m = map(action);
        if (m.size() >= MAX_ENTRIES) {
            m.clear();
        }
        m.put(topic, allowed);
    }

    private Map<String, Boolean> map(Action action) {
        if (action == Action.PUBLISH) {
            return publish == null ? publish = new HashMap<>() : publish;
        }
        return subscribe == null ? subscribe = new HashMap<>() : subscribe;
    }
}
