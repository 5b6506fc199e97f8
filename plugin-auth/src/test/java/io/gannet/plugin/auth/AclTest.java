package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AclTest {
    @TempDir
    Path dir;

    private Acl acl(String text) throws Exception {
        Path f = dir.resolve("acl");
        Files.writeString(f, text);
        return Acl.read(f);
    }

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "sensors/#, sensors/+/temp, true",
        "sensors/#, sensors, true",
        "sensors/+/temp, sensors/+/temp, true",
        "sensors/+/temp, sensors/a/temp, true",
        "sensors/a/temp, sensors/+/temp, false",
        "sensors/+/temp, sensors/#, false",
        "sensors/+, sensors/a/b, false",
        "#, a/b, true",
        "#, $SYS/x, false",
        "$SYS/#, $SYS/broker/uptime, true",
        "+/x, $SYS/x, false",
    })
    void coverage(String pattern, String filter, boolean expected) {
        assertThat(Acl.covers(pattern, filter)).isEqualTo(expected);
    }

    @Test
    void rulesBySubjectWithSubstitution() throws Exception {
        Acl acl = acl("""
                # everyone reads public, each user owns users/<name>, devices write their own uplink
                all        read       public/#
                all        readwrite  users/%u/#
                client:gw  write      devices/%c/up
                user:admin read       $SYS/#
                """);
        assertThat(acl.mayRead("bob", "b1", "public/news")).isTrue();
        assertThat(acl.mayWrite("bob", "b1", "public/news")).as("read only").isFalse();
        assertThat(acl.mayWrite("bob", "b1", "users/bob/inbox")).isTrue();
        assertThat(acl.mayWrite("bob", "b1", "users/alice/inbox")).isFalse();
        assertThat(acl.mayRead(null, "anon", "users/x/#")).as("%u needs a user").isFalse();
        assertThat(acl.mayWrite("x", "gw", "devices/gw/up")).isTrue();
        assertThat(acl.mayWrite("x", "other", "devices/gw/up")).isFalse();
        assertThat(acl.mayRead("admin", "a", "$SYS/#")).isTrue();
        assertThat(acl.mayRead("bob", "b1", "$SYS/#")).isFalse();
        assertThat(acl.mayRead("bob", "b1", "#")).as("not granted is denied").isFalse();
    }

    @Test
    void listenerRulesGrantEveryClientOfThatListener() throws Exception {
        Acl acl = acl("listener:local readwrite #\n");
        assertThat(acl.mayWrite(null, "anon", "local", "any/topic")).isTrue();
        assertThat(acl.mayWrite("bob", "b", "tls", "any/topic")).isFalse();
        assertThat(acl.mayRead(null, "anon", "local", "$SYS/#")).as("# does not reach $SYS").isFalse();
    }

    @Test
    void aUserNameCannotActAsAWildcard() throws Exception {
        Acl acl = acl("all readwrite users/%u/#\n");
        assertThat(acl.mayWrite("a/b", "c", "users/a/b/x")).isFalse();
        assertThat(acl.mayRead("+", "c", "users/+/#")).isFalse();
    }

    @Test
    void badRulesNameTheLine() {
        assertThatThrownBy(() -> acl("all read ok/#\nall maybe\n")).hasMessageContaining(":2: ")
                .hasMessageContaining("expected <who> <access> <pattern>");
        assertThatThrownBy(() -> acl("all readd x\n")).hasMessageContaining("access must be read, write or readwrite");
        assertThatThrownBy(() -> acl("everyone read x\n")).hasMessageContaining("who must be");
        assertThatThrownBy(() -> acl("all read a/#/b\n")).hasMessageContaining("not a valid topic filter");
    }
}
