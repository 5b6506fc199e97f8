package io.gannet.broker.topic;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.config.ConfigLoader;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.message.Message;
import io.gannet.broker.retain.RetainedTree;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Topic names and filters from any text (the first line a filter, the next ones names; seeds in
 * {@code TopicFuzzTestInputs/filtersAndNames}): the syntax checks never throw, the limit check agrees with counting by
 * hand, and for every valid pair the subscription trie and the retained tree match exactly when the spec's rule
 * (written the slow and obvious way in {@link TopicTrieTest#matches}) says so, and leave nothing behind.
 */
class TopicFuzzTest {
    private static final MqttConfig LIMITS = ConfigLoader.fromMap(Map.of("mqtt",
            Map.of("max-topic-levels", 8, "max-topic-length", 64))).mqtt();

    @FuzzTest(maxDuration = "30s")
    void filtersAndNames(byte[] input) {
        // The first line is the filter, the next (up to four) the names: seeds stay readable.
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 6);
        String filter = lines[0];
        List<String> names = new ArrayList<>(Arrays.asList(lines).subList(1, Math.min(lines.length, 5)));
        boolean validFilter = Topics.isValidFilter(filter);
        assertThat(LIMITS.withinTopicLimits(filter)).as(filter)
                .isEqualTo(filter.length() <= 64 && filter.split("/", -1).length <= 8);

        TopicTrie<String> trie = new TopicTrie<>(e -> e);
        RetainedTree retained = new RetainedTree(Clock.systemUTC());
        if (validFilter) {
            trie.add(filter, "subscriber");
        }
        for (String name : names) {
            if (!Topics.isValidName(name)) {
                assertThat(name.isEmpty() || Topics.hasWildcard(name)).as(name).isTrue();
                continue;
            }
            retained.put(new Message(name, 1, true, new byte[] {1}, MqttProperties.EMPTY, "fuzz"));
            if (validFilter) {
                boolean expected = TopicTrieTest.matches(filter, name);
                List<String> hits = new ArrayList<>();
                trie.match(name, hits::add);
                assertThat(hits).as("trie: %s ~ %s", filter, name).hasSize(expected ? 1 : 0);
            }
        }
        if (validFilter) {
            List<String> found = new ArrayList<>();
            retained.match(filter, m -> found.add(m.topic()));
            List<String> expected = names.stream().filter(Topics::isValidName).distinct()
                    .filter(name -> TopicTrieTest.matches(filter, name)).toList();
            assertThat(found).as("retained: %s", filter).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(trie.remove(filter, "subscriber")).isEqualTo("subscriber");
            assertThat(trie.size()).isZero();
        }
    }
}
