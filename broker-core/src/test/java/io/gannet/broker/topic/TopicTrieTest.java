package io.gannet.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicTrieTest {
    /** An entry: which owner subscribed to which filter. */
    record Sub(Object owner, String filter) {
    }

    private static Set<String> match(TopicTrie<Sub> trie, String topic) {
        Set<String> out = new HashSet<>();
        trie.match(topic, s -> out.add(s.filter()));
        return out;
    }

    /** The spec's matching rule, written the slow and obvious way, to check the trie against. */
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
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    @Test
    void matchesTheExamplesOfSection47() {
        TopicTrie<Sub> trie = new TopicTrie<>(Sub::owner);
        Object o = new Object();
        for (String f : List.of("sport/tennis/player1/#", "sport/#", "#", "sport/tennis/+", "+", "+/+", "/+",
                "+/tennis/#", "$SYS/#", "$SYS/+/x", "a//b", "sport/+/player1")) {
            trie.add(f, new Sub(o, f));
        }
        assertThat(match(trie, "sport/tennis/player1")).containsExactlyInAnyOrder("sport/tennis/player1/#",
                "sport/#", "#", "sport/tennis/+", "+/tennis/#", "sport/+/player1");
        assertThat(match(trie, "sport")).containsExactlyInAnyOrder("sport/#", "#", "+");
        assertThat(match(trie, "/finance")).containsExactlyInAnyOrder("#", "+/+", "/+");
        assertThat(match(trie, "$SYS/broker")).containsExactlyInAnyOrder("$SYS/#");
        assertThat(match(trie, "$SYS/y/x")).containsExactlyInAnyOrder("$SYS/#", "$SYS/+/x");
        assertThat(match(trie, "a//b")).containsExactlyInAnyOrder("#", "a//b");
        assertThat(trie.size()).isEqualTo(12);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 22, 33, 44})
    void agreesWithTheReferenceRuleOnRandomFiltersAndTopics(long seed) {
        Random r = new Random(seed);
        String[] words = {"a", "b", "c", "", "$x", "dd"};
        TopicTrie<Sub> trie = new TopicTrie<>(Sub::owner);
        List<Sub> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder f = new StringBuilder();
            int levels = 1 + r.nextInt(4);
            for (int l = 0; l < levels; l++) {
                if (l > 0) {
                    f.append('/');
                }
                int k = r.nextInt(8);
                f.append(k == 0 ? "+" : k == 1 && l == levels - 1 ? "#" : words[r.nextInt(words.length)]);
            }
            Sub s = new Sub(new Object(), f.toString());
            trie.add(s.filter(), s);
            all.add(s);
        }
        // Remove a third again, so that pruning is exercised too.
        for (int i = 0; i < all.size(); i += 3) {
            assertThat(trie.remove(all.get(i).filter(), all.get(i).owner())).isSameAs(all.get(i));
        }
        for (int i = 0; i < 2000; i++) {
            StringBuilder t = new StringBuilder();
            int levels = 1 + r.nextInt(4);
            for (int l = 0; l < levels; l++) {
                t.append(l > 0 ? "/" : "").append(words[r.nextInt(words.length)]);
            }
            String topic = t.toString();
            List<Sub> got = new ArrayList<>();
            trie.match(topic, got::add);
            List<Sub> expected = new ArrayList<>();
            for (int k = 0; k < all.size(); k++) {
                if (k % 3 != 0 && matches(all.get(k).filter(), topic)) {
                    expected.add(all.get(k));
                }
            }
            assertThat(got).as(topic).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void oneEntryPerOwnerAndFilterAndPruningOnRemove() {
        TopicTrie<Sub> trie = new TopicTrie<>(Sub::owner);
        Object owner = new Object();
        assertThat(trie.add("a/b", new Sub(owner, "a/b"))).isNull();
        Sub second = new Sub(owner, "a/b");
        assertThat(trie.add("a/b", second)).isNotNull();
        assertThat(trie.size()).isEqualTo(1);
        assertThat(trie.remove("a/b", new Object())).isNull();
        assertThat(trie.remove("a/b", owner)).isSameAs(second);
        assertThat(trie.remove("x/y", owner)).isNull();
        assertThat(trie.size()).isZero();
        List<Sub> left = new ArrayList<>();
        trie.forEach(left::add);
        assertThat(left).isEmpty();
    }

    @Test
    void manyChildrenOnOneLevel() {
        TopicTrie<Sub> trie = new TopicTrie<>(Sub::owner);
        Object o = new Object();
        for (int i = 0; i < 10_000; i++) {
            trie.add("dev/" + i + "/up", new Sub(o, "dev/" + i + "/up"));
        }
        for (int i = 0; i < 10_000; i += 2) {
            trie.remove("dev/" + i + "/up", o);
        }
        assertThat(match(trie, "dev/4/up")).isEmpty();
        assertThat(match(trie, "dev/9999/up")).containsExactly("dev/9999/up");
        assertThat(trie.size()).isEqualTo(5000);
    }

    /**
     * Readers match while a writer adds and removes other filters: a stable filter is always found, and readers
     * never fail. Bounded in iterations.
     */
    @Test
    void concurrentMatchingWhileSubscribing() throws Exception {
        TopicTrie<Sub> trie = new TopicTrie<>(Sub::owner);
        Object stableOwner = new Object();
        trie.add("s/+/t", new Sub(stableOwner, "s/+/t"));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(3);
        Runnable reader = () -> {
            try {
                for (int i = 0; i < 200_000; i++) {
                    int[] found = new int[1];
                    trie.match("s/" + (i % 50) + "/t", s -> {
                        if (s.owner() == stableOwner) {
                            found[0]++;
                        }
                    });
                    if (found[0] != 1) {
                        throw new AssertionError("stable subscription seen " + found[0] + " times");
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.countDown();
            }
        };
        Thread writer = new Thread(() -> {
            try {
                Object o = new Object();
                for (int i = 0; i < 20_000; i++) {
                    String f = "s/" + (i % 50) + (i % 3 == 0 ? "/t" : "/#");
                    trie.add(f, new Sub(o, f));
                    trie.remove(f, o);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.countDown();
            }
        });
        new Thread(reader).start();
        new Thread(reader).start();
        writer.start();
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
        assertThat(trie.size()).isEqualTo(1);
    }
}
