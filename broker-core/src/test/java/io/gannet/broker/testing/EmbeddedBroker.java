package io.gannet.broker.testing;

import io.gannet.broker.Broker;
import io.gannet.broker.auth.AllowAllAuthenticator;
import io.gannet.broker.auth.Authenticator;
import io.gannet.broker.config.GannetConfig;
import io.gannet.broker.config.ListenerConfig;
import io.gannet.broker.config.MqttConfig;
import io.gannet.broker.config.NetworkConfig;
import io.gannet.broker.config.SessionConfig;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A real broker on a free loopback port, for tests. Two I/O threads, so that publishers and subscribers land on
 * different event loops and the hand-off between loops is exercised.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Broker broker;

    private EmbeddedBroker(Broker broker) {
        this.broker = broker;
    }

    public static EmbeddedBroker start() {
        return start(UnaryOperator.identity());
    }

    public static EmbeddedBroker start(UnaryOperator<GannetConfig> customize) {
        return start(customize, new AllowAllAuthenticator());
    }

    public static EmbeddedBroker start(UnaryOperator<GannetConfig> customize, Authenticator authenticator) {
        GannetConfig base = GannetConfig.defaults();
        NetworkConfig n = base.network();
        GannetConfig config = new GannetConfig(List.of(new ListenerConfig("test", "127.0.0.1", 0, "mqtt")),
                base.mqtt(), base.sessions(), new NetworkConfig(2, n.transport(), n.writeBufferHighWaterMark(),
                n.soBacklog(), n.shutdownTimeoutSeconds()));
        Broker broker = new Broker(customize.apply(config), authenticator);
        try {
            broker.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new EmbeddedBroker(broker);
    }

    /** Config tweaks for tests. */
    public static UnaryOperator<GannetConfig> mqtt(UnaryOperator<MqttConfig> change) {
        return c -> c.withMqtt(change.apply(c.mqtt()));
    }

    public static UnaryOperator<GannetConfig> sessions(UnaryOperator<SessionConfig> change) {
        return c -> c.withSessions(change.apply(c.sessions()));
    }

    public int port() {
        return broker.address("test").getPort();
    }

    public Broker broker() {
        return broker;
    }

    @Override
    public void close() {
        broker.close();
    }
}
