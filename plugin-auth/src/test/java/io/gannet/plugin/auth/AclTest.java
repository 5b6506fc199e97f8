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

    @ParameterizedTest(name = "{0} and {1} overlap: {2}")
    @CsvSource({
        "sensors/secret/#, sensors/#, true",
        "sensors/secret/#, sensors/+/temp, true",
        "sensors/secret/#, sensors/public/temp, false",
        "sensors/secret/#, sensors/secret, true",
        "sensors/+, sensors, false",
        "a/+/c, a/b/+, true",
        "a/+/c, a/b/d, false",
        "#, $SYS/broker, false",
        "$SYS/#, +/broker, false",
        "$SYS/#, $SYS/broker/uptime, true",
        "a/b, a/b/c, false",
    })
    void overlap(String a, String b, boolean expected) {
        assertThat(Acl.overlaps(a, b)).isEqualTo(expected);
        assertThat(Acl.overlaps(b, a)).as("symmetric").isEqualTo(expected);
    }

    @Test
    void denyRulesComeBeforeGrants() throws Exception {
        Acl acl = acl("""
                all readwrite sensors/#
                deny all write sensors/locked/#
                deny user:bob read sensors/secret/#
                """);
        assertThat(acl.mayWrite("alice", "a", "sensors/open")).isTrue();
        assertThat(acl.mayWrite("alice", "a", "sensors/locked/door")).isFalse();
        assertThat(acl.mayRead("alice", "a", "sensors/locked/door")).as("denied for write only").isTrue();
        assertThat(acl.mayRead("bob", "b", "sensors/public/temp")).isTrue();
        assertThat(acl.mayRead("bob", "b", "sensors/secret/key")).isFalse();
        assertThat(acl.mayRead("bob", "b", "sensors/#")).as("could receive a denied topic").isFalse();
        assertThat(acl.mayRead("bob", "b", "sensors/+/temp")).as("could receive sensors/secret/temp").isFalse();
        assertThat(acl.mayRead("alice", "a", "sensors/#")).isTrue();
    }

    @Test
    void aDenyRuleAboutTheUserNameDoesNotApplyToAnonymousClientsAndDeniesNamesThatCannotBeFilledIn()
            throws Exception {
        Acl acl = acl("""
                all readwrite #
                deny all write users/%u/readonly/#
                """);
        assertThat(acl.mayWrite(null, "anon", "users/x/readonly/a")).as("no user name: the rule is not about it")
                .isTrue();
        assertThat(acl.mayWrite("bob", "b", "users/bob/readonly/a")).isFalse();
        assertThat(acl.mayWrite("b/c", "b", "users/b/c/readonly/a")).as("a name with / denies to be safe").isFalse();
    }

    @Test
    void namesStartingWithADollarOrHoldingControlCharactersAreNotSubstituted() throws Exception {
        Acl acl = acl("all readwrite %c/#\nall readwrite home/%u/#\n");
        assertThat(acl.mayRead(null, "$SYS", "$SYS/#")).as("a client id of $SYS would reach $SYS").isFalse();
        assertThat(acl.mayWrite(null, "dev1", "dev1/x")).isTrue();
        assertThat(acl.mayWrite("a\u0000b", "c", "home/a\u0000b/x")).isFalse();
        assertThat(acl.mayWrite("a\nb", "c", "home/a\nb/x")).isFalse();
        assertThat(acl.mayWrite("a\u0085b", "c", "home/a\u0085b/x")).isFalse();
        assertThat(Acl.plainLevel("ünïcode")).isTrue();
    }

    @Test
    void sharedSubscriptionRulesNameTheirGroup() throws Exception {
        Acl acl = acl("""
                all read $share/workers/jobs/#
                all read $share/+/events/#
                all read public/#
                """);
        assertThat(acl.mayRead(null, "c", null, "jobs/#", "workers")).isTrue();
        assertThat(acl.mayRead(null, "c", null, "jobs/#", "others")).isFalse();
        assertThat(acl.mayRead(null, "c", null, "jobs/#", null)).as("not as a plain subscription").isFalse();
        assertThat(acl.mayRead(null, "c", null, "events/a", "anyone")).isTrue();
        assertThat(acl.mayRead(null, "c", null, "public/x", "anyone")).as("a plain rule covers shared ones")
                .isTrue();
        assertThatThrownBy(() -> acl("all write $share/g/x\n")).hasMessageContaining("shared subscription rule");
        assertThatThrownBy(() -> acl("all read $share/g\n")).hasMessageContaining("shared subscription rule");
    }
}
