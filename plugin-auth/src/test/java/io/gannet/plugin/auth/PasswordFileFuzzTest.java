package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The password-file parser on any text: it fails only with an {@link IllegalArgumentException} naming the line,
 * and every hash it accepts can be checked against a password without an error (and in bounded time: the parser
 * refuses iteration counts no login should pay for). Seeds in {@code PasswordFileFuzzTestInputs/entries}.
 */
class PasswordFileFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void entries(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Map<String, PasswordHash> users;
        try {
            users = PasswordFile.parse(List.of(text.split("\n", -1)), "fuzz.passwords");
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("fuzz.passwords:");
            return;
        }
        for (PasswordHash hash : users.values()) {
            if (hash.iterations() <= 20_000) { // a higher count is valid, only slow to check in a fuzzing loop
                hash.matches("secret".toCharArray()); // must not throw
            }
        }
    }
}
