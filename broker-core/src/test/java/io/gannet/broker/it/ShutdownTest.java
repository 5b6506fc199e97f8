package io.gannet.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import java.net.ConnectException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: stop accepting, tell 5.0 clients why (0x8B), close everyone, all within the timeout. */
class ShutdownTest {
    @Test
    void disconnectsClientsAndStopsAccepting() throws Exception {
        EmbeddedBroker broker = EmbeddedBroker.start();
        int port = broker.port();
        try (RawClient v5 = new RawClient(port); RawClient v3 = new RawClient(port)) {
            v5.send(MalformedCorpus.connect(MqttVersion.V5, "five"));
            v5.read();
            v3.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "three"));
            v3.read();
            long start = System.nanoTime();
            broker.close();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            RawClient.RawPacket d = v5.read();
            assertThat(d.type()).isEqualTo(PacketType.DISCONNECT);
            assertThat(d.byteAt(0)).isEqualTo(ReasonCode.SERVER_SHUTTING_DOWN);
            assertThat(v5.closedByBroker()).isTrue();
            assertThat(v3.closedByBroker()).isTrue();
            // A functional bound, not a performance one: the shutdown contract is 10 s.
            assertThat(tookMillis).isLessThan(10_000);
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("the listener is gone")
                .isInstanceOf(ConnectException.class);
    }
}
