package io.gannet.broker.routing;

import io.gannet.broker.message.Message;
import io.gannet.broker.session.Session;
import io.gannet.broker.shared.SharedGroup;
import io.gannet.broker.session.Subscription;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Collects the sessions one message goes to while the topic trie is matched, one entry per session at the
 * highest QoS of its matching subscriptions [MQTT-3.3.4-2]. Reused for every message on its thread, so routing
 * allocates nothing once the arrays have grown to the largest fan-out seen.
 */
final class Fanout implements Consumer<Subscription> {
    Session[] sessions = new Session[16];
    int[] qos = new int[16];
    boolean[] retainAsPublished = new boolean[16];
    /** 5.0 Subscription Identifiers per session, reused arrays; {@code subIdCount[i]} are valid. */
    int[][] subIds = new int[16][];
    int[] subIdCount = new int[16];
    int count;

    /**
     * One pick per matching shared group, kept apart from the per-session entries: a client with a shared and a
     * non-shared subscription that both match gets a copy for each (spec 4.8.2).
     */
    Subscription[] sharedPicks = new Subscription[4];
    SharedGroup[] sharedGroups = new SharedGroup[4];
    int sharedCount;
    final Consumer<SharedGroup> sharedVisitor = this::acceptGroup;

    private Message message;
    private Session publisher;
    private SharedGroupFilter groupFilter = SharedGroupFilter.ALL;
    /** Open-addressing identity set from session to its index, so overlapping subscriptions merge. */
    private Session[] table = new Session[64];
    private int[] tableIndex = new int[64];
    private int[] slotOf = new int[16];
    boolean inUse;
    private final NamedGroup namedGroup = new NamedGroup();
    /** Hands the message out once matched; reused like the rest. */
    final Dispatch dispatch = new Dispatch();

    void begin(Message m, Session from, SharedGroupFilter groups) {
        this.message = m;
        this.publisher = from;
        this.groupFilter = groups;
        this.count = 0;
        this.sharedCount = 0;
    }

    @Override
    public void accept(Subscription sub) {
        Session s = sub.session();
        if (sub.noLocal() && s == publisher) {
            return; // [MQTT-3.8.3-3]
        }
        int q = Math.min(message.qos(), sub.qos());
        int mask = table.length - 1;
        int slot = System.identityHashCode(s) & mask;
        while (table[slot] != null) {
            if (table[slot] == s) {
                int i = tableIndex[slot];
                qos[i] = Math.max(qos[i], q);
                retainAsPublished[i] |= sub.retainAsPublished();
                addSubscriptionId(i, sub.subscriptionId());
                return;
            }
            slot = (slot + 1) & mask;
        }
        if (count == sessions.length) {
            grow();
            accept(sub); // the table was rebuilt; insert again
            return;
        }
        table[slot] = s;
        tableIndex[slot] = count;
        slotOf[count] = slot;
        sessions[count] = s;
        qos[count] = q;
        retainAsPublished[count] = sub.retainAsPublished();
        subIdCount[count] = 0;
        addSubscriptionId(count, sub.subscriptionId());
        count++;
    }

    /** Every matching subscription's identifier goes on the PUBLISH [MQTT-3.3.4-4]. */
    private void addSubscriptionId(int i, int id) {
        if (id == 0) {
            return;
        }
        int[] ids = subIds[i];
        if (ids == null || subIdCount[i] == ids.length) {
            subIds[i] = ids = ids == null ? new int[2] : Arrays.copyOf(ids, ids.length * 2);
        }
        ids[subIdCount[i]++] = id;
    }

    /** The identifiers for session {@code i}, in a new array the delivery may keep; {@code null} when none. */
    int[] subscriptionIds(int i) {
        return subIdCount[i] == 0 ? null : Arrays.copyOf(subIds[i], subIdCount[i]);
    }

    void acceptGroup(SharedGroup group) {
        if (!groupFilter.deliversHere(group)) {
            return;
        }
        Subscription pick = group.pick(null);
        if (pick == null) {
            return;
        }
        if (sharedCount == sharedPicks.length) {
            sharedPicks = Arrays.copyOf(sharedPicks, sharedCount * 2);
            sharedGroups = Arrays.copyOf(sharedGroups, sharedCount * 2);
        }
        sharedPicks[sharedCount] = pick;
        sharedGroups[sharedCount] = group;
        sharedCount++;
    }

    /** A filter that lets only the group {@code $share/{shareName}/{filter}} take the message; reused. */
    SharedGroupFilter onlyGroup(String shareName, String filter) {
        namedGroup.shareName = shareName;
        namedGroup.filter = filter;
        return namedGroup;
    }

    private static final class NamedGroup implements SharedGroupFilter {
        String shareName;
        String filter;

        @Override
        public boolean deliversHere(SharedGroup group) {
            return group.shareName().equals(shareName) && group.filter().equals(filter);
        }
    }

    /** Clears what this message left, touching only the slots it used. */
    void end() {
        for (int i = 0; i < sharedCount; i++) {
            sharedPicks[i] = null;
            sharedGroups[i] = null;
        }
        sharedCount = 0;
        for (int i = 0; i < count; i++) {
            table[slotOf[i]] = null;
            sessions[i] = null;
        }
        count = 0;
        message = null;
        publisher = null;
        groupFilter = SharedGroupFilter.ALL;
    }

    private void grow() {
        int n = sessions.length * 2;
        sessions = Arrays.copyOf(sessions, n);
        qos = Arrays.copyOf(qos, n);
        retainAsPublished = Arrays.copyOf(retainAsPublished, n);
        subIds = Arrays.copyOf(subIds, n);
        subIdCount = Arrays.copyOf(subIdCount, n);
        slotOf = Arrays.copyOf(slotOf, n);
        table = new Session[n * 4];
        tableIndex = new int[n * 4];
        int mask = table.length - 1;
        for (int i = 0; i < count; i++) {
            int slot = System.identityHashCode(sessions[i]) & mask;
            while (table[slot] != null) {
                slot = (slot + 1) & mask;
            }
            table[slot] = sessions[i];
            tableIndex[slot] = i;
            slotOf[i] = slot;
        }
    }
}
