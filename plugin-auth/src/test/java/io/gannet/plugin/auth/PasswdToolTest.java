package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdToolTest {
    @TempDir
    Path dir;

    private int run(String... args) {
        return PasswdTool.run(args, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void addsChangesAndDeletesUsers() throws Exception {
        Path f = dir.resolve("passwords");
        assertThat(run("-b", f.toString(), "alice", "s3cret")).as("no -c, no file").isEqualTo(1);
        assertThat(run("-c", "-b", f.toString(), "alice", "s3cret")).isZero();
        assertThat(run("-b", f.toString(), "bob", "hunter2")).isZero();
        assertThat(PasswordFile.read(f)).containsOnlyKeys("alice", "bob");
        assertThat(PasswordFile.read(f).get("alice").matches("s3cret".toCharArray())).isTrue();
        assertThat(PasswordFile.read(f).get("alice").matches("S3cret".toCharArray())).isFalse();
        assertThat(run("-b", f.toString(), "alice", "changed")).isZero();
        assertThat(PasswordFile.read(f).get("alice").matches("changed".toCharArray())).isTrue();
        assertThat(run("-D", f.toString(), "bob")).isZero();
        assertThat(run("-D", f.toString(), "bob")).as("already gone").isEqualTo(1);
        assertThat(PasswordFile.read(f)).containsOnlyKeys("alice");
        assertThat(Files.readString(f)).doesNotContain("changed").contains("$pbkdf2-sha512$210000$");
    }

    @Test
    void thePasswordFileIsReadableByItsOwnerOnlyWhateverTheUmask() throws Exception {
        Path f = dir.resolve("passwords");
        assertThat(run("-c", "-b", f.toString(), "alice", "s3cret")).isZero();
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("-b", f.toString(), "bob", "hunter2")).isZero(); // rewritten: 0600 again
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
    }

    @Test
    void refusesBadInput() {
        Path f = dir.resolve("p");
        assertThat(run("-c", "-b", f.toString(), "a:b", "x")).isEqualTo(2);
        assertThat(run("-x", f.toString(), "a")).isEqualTo(2);
        assertThat(run("-c", f.toString())).isEqualTo(2);
    }

    @Test
    void brokenFilesNameTheLine() throws Exception {
        Path f = dir.resolve("broken");
        Files.writeString(f, "# users\nalice:$pbkdf2-sha512$10$AAAA$BBBB\n");
        assertThat(run("-b", f.toString(), "bob", "x")).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PasswordFile.read(f))
                .hasMessageContaining(":2: ").hasMessageContaining("too low");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        // Found by PasswordFileFuzzTest: accepted when read, then every login of the user failed inside PBKDF2.
        "alice:$pbkdf2-sha512$1000$$|expected $pbkdf2-sha512$<iterations>$<salt>$<hash>",
        "alice:$pbkdf2-sha512$1000$AAAA$BBBB|a salt of at least 8 bytes",
        "alice:$pbkdf2-sha512$2147483647$AAECAwQFBgcICQoLDA0ODw$AAECAwQFBgcICQoLDA0ODw|too high",
        "alice:$pbkdf2-sha512$1000$AAECAwQFBgcICQoLDA0ODw$%%%|Illegal base64 character",
    })
    void hashesThatNoLoginCouldUseAreRefusedWhenRead(String line, String message) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PasswordFile.parse(java.util.List.of(line), "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("p:1: ")
                .hasMessageContaining(message);
    }
}
