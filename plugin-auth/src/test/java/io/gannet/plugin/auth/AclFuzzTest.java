package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The ACL parser on any text, and the rules it accepts asked about any user, client, listener and topic: parsing
 * fails only with an {@link IllegalArgumentException} that names the line; no question about a parsed file throws;
 * a name that holds '/', a wildcard, a control character or a leading '$' never widens a {@code %u}/{@code %c} rule
 * beyond a literal level (the rule for such a name is not applied); and a deny rule for everyone wins over any grant.
 * Seeds in {@code AclFuzzTestInputs/rules}.
 */
class AclFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void rules(byte[] input) {
        // The first line is the question (user|client|listener|topic|share), the rest the rules: seeds stay readable.
        String all = new String(input, StandardCharsets.UTF_8);
        int newline = all.indexOf('\n');
        String[] q = (newline < 0 ? all : all.substring(0, newline)).split("\\|", -1);
        String text = newline < 0 ? "" : all.substring(newline + 1);
        String user = q[0];
        String clientId = q.length > 1 ? q[1] : "";
        String listener = q.length > 2 ? q[2] : "mqtt";
        String topic = q.length > 3 ? q[3] : "a";
        String share = q.length > 4 ? q[4] : null;
        Acl acl;
        try {
            acl = Acl.parse(List.of(text.split("\n", -1)), "fuzz.acl");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz.acl:");
            return;
        }
        boolean write = acl.mayWrite(user, clientId, listener, topic);
        boolean read = acl.mayRead(user, clientId, listener, topic, share);
        if (text.lines().map(String::strip).anyMatch(line -> line.matches("deny\\s+all\\s+readwrite\\s+#"))) {
            assertThat(write).as("deny all readwrite # wins").isFalse();
            assertThat(read).as("deny all readwrite # wins").isFalse();
        }
    }
}
