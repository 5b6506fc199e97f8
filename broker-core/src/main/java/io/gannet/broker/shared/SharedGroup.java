package io.gannet.broker.shared;

import io.gannet.broker.session.Session;
import io.gannet.broker.session.ShareGroup;
import io.gannet.broker.session.Subscription;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The members of one shared subscription, {@code $share/{shareName}/{filter}} (section 4.8.2). Each message that
 * matches the filter goes to one member, chosen round robin among the members whose client is connected; when
 * none is, to an offline member, whose session queues it. Members change under a lock (subscribes are rare);
 * {@link #pick} reads a copy-on-write array and takes no lock.
 */
public final class SharedGroup implements ShareGroup {
    private static final Subscription[] NONE = new Subscription[0];

    private final String shareName;
    private final String filter;
    private volatile Subscription[] members = NONE;
    private final AtomicInteger next = new AtomicInteger();

    SharedGroup(String shareName, String filter) {
        this.shareName = shareName;
        this.filter = filter;
    }

    public String shareName() {
        return shareName;
    }

    public String filter() {
        return filter;
    }

    /** Adds or replaces the session's membership; returns true when the session was not a member. */
    synchronized boolean add(Subscription sub) {
        Subscription[] m = members;
        for (int i = 0; i < m.length; i++) {
            if (m[i].session() == sub.session()) {
                Subscription[] copy = m.clone();
                copy[i] = sub;
                members = copy;
                return false;
            }
        }
        Subscription[] copy = Arrays.copyOf(m, m.length + 1);
        copy[m.length] = sub;
        members = copy;
        return true;
    }

    /** Removes the session's membership; returns whether it was a member. */
    synchronized boolean remove(Session session) {
        Subscription[] m = members;
        for (int i = 0; i < m.length; i++) {
            if (m[i].session() == session) {
                Subscription[] copy = new Subscription[m.length - 1];
                System.arraycopy(m, 0, copy, 0, i);
                System.arraycopy(m, i + 1, copy, i, m.length - i - 1);
                members = copy;
                return true;
            }
        }
        return false;
    }

    int size() {
        return members.length;
    }

    /**
     * Chooses the member for the next message: round robin over connected members, skipping {@code exclude}
     * (the member whose client just left); any other member when no one is connected; {@code null} when there is
     * no other member at all.
     */
    @Override
    public Subscription pick(Session exclude) {
        Subscription[] m = members;
        int n = m.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        Subscription fallback = null;
        for (int k = 0; k < n; k++) {
            Subscription s = m[(start + k) % n];
            if (s.session() == exclude) {
                continue;
            }
            if (s.session().isOnline()) {
                return s;
            }
            if (fallback == null) {
                fallback = s;
            }
        }
        return fallback;
    }

    @Override
    public String key() {
        return "$share/" + shareName + "/" + filter;
    }

    @Override
    public String toString() {
        return key();
    }
}
