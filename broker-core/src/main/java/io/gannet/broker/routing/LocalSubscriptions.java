package io.gannet.broker.routing;

import io.gannet.broker.session.ShareGroup;
import io.gannet.broker.session.Subscription;
import io.gannet.broker.session.SubscriptionIndex;
import io.gannet.broker.shared.SharedGroup;
import io.gannet.broker.shared.SharedSubscriptions;
import io.gannet.broker.topic.TopicTrie;
import java.util.function.Consumer;

/**
 * The subscriptions of this broker's sessions, as routing matches them: plain ones in a topic trie, shared ones in
 * their groups. Sessions change it only through {@link SubscriptionIndex}; the router only reads it.
 */
public final class LocalSubscriptions implements SubscriptionIndex {
    private final TopicTrie<Subscription> trie = new TopicTrie<>(Subscription::session);
    private final SharedSubscriptions shared = new SharedSubscriptions();

    @Override
    public boolean add(Subscription subscription) {
        if (subscription.isShared()) {
            return shared.add(subscription);
        }
        return trie.add(subscription.filter(), subscription) == null;
    }

    @Override
    public boolean remove(Subscription subscription) {
        if (subscription.isShared()) {
            return shared.remove(subscription);
        }
        return trie.remove(subscription.filter(), subscription.session()) != null;
    }

    @Override
    public ShareGroup sharedGroup(String shareName, String filter) {
        return shared.group(shareName, filter);
    }

    /** Visits the plain subscriptions matching {@code topic}, then the matching shared groups. Allocates nothing. */
    void match(String topic, Consumer<Subscription> subscriptions, Consumer<SharedGroup> groups) {
        trie.match(topic, subscriptions);
        shared.match(topic, groups);
    }

    /** Visits the shared groups matching {@code topic} only. Allocates nothing. */
    void matchShared(String topic, Consumer<SharedGroup> groups) {
        shared.match(topic, groups);
    }

    /** Plain subscriptions, for $SYS. */
    public int size() {
        return trie.size();
    }

    /** Shared subscription groups, for $SYS. */
    public int sharedGroups() {
        return shared.size();
    }

    /** Members of one shared group, for tests. */
    public int sharedMembers(String shareName, String filter) {
        return shared.members(shareName, filter);
    }

    /** The trie of plain subscriptions, for tests that look inside it. */
    public TopicTrie<Subscription> trie() {
        return trie;
    }
}
