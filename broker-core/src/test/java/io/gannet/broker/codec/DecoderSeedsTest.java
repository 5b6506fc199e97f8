package io.gannet.broker.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The committed seed corpus of {@link DecoderFuzzTest}: one valid packet of every type for each version (random but
 * seeded, so the files are stable), behind a CONNECT of that version, plus the malformed cases of
 * {@link MalformedCorpus}. Checks the files are there; rewrites them with {@code -Dgannet.regenerate=true}.
 */
class DecoderSeedsTest {
    static final Path DIR = Path.of("src/test/resources/io/gannet/broker/codec/DecoderFuzzTestInputs/decoder");
    private static final MqttVersion[] VERSIONS = {MqttVersion.V3_1, MqttVersion.V3_1_1, MqttVersion.V5};

    @Test
    void seedsCoverEveryPacketTypeOfEveryVersion() throws IOException {
        if (Boolean.getBoolean("gannet.regenerate")) {
            write();
        }
        for (MqttVersion version : VERSIONS) {
            for (PacketType type : PacketType.values()) {
                Path seed = DIR.resolve(name(version, type));
                assertThat(seed).as("run with -Dgannet.regenerate=true").exists();
            }
        }
    }

    private static void write() throws IOException {
        Files.createDirectories(DIR);
        for (int v = 0; v < VERSIONS.length; v++) {
            MqttVersion version = VERSIONS[v];
            RandomPackets random = new RandomPackets(17 + v, version);
            for (PacketType type : PacketType.values()) {
                if (type == PacketType.AUTH && !version.isV5()) {
                    continue;
                }
                byte[] packet = RawClient.encode(random.any(type), version);
                // Byte 0 selects the version (its CONNECT comes first), byte 1 seeds the splits.
                Files.write(DIR.resolve(name(version, type)), MalformedCorpus.concat(new byte[] {(byte) (v + 1),
                        (byte) type.ordinal()}, packet));
            }
        }
        int i = 0;
        for (MalformedCorpus.Case c : MalformedCorpus.cases()) {
            Files.write(DIR.resolve(String.format(Locale.ROOT, "malformed-%03d", i++)),
                    MalformedCorpus.concat(new byte[] {0, 7}, c.bytes()));
        }
    }

    private static String name(MqttVersion version, PacketType type) {
        if (type == PacketType.AUTH && !version.isV5()) {
            type = PacketType.DISCONNECT; // 3.x has no AUTH: its seed would be the same as DISCONNECT's
        }
        return (version + "-" + type).toLowerCase(Locale.ROOT).replace('.', '_');
    }
}
