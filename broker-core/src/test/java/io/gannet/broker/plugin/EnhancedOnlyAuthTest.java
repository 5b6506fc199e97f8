package io.gannet.broker.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.Connect;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.MalformedCorpus;
import io.gannet.broker.testing.RawClient;
import io.gannet.spi.ClientInfo;
import io.gannet.spi.Plugin;
import io.gannet.spi.PluginContext;
import io.gannet.spi.auth.AuthConversation;
import io.gannet.spi.auth.AuthStep;
import io.gannet.spi.auth.AuthenticationRequest;
import io.gannet.spi.auth.EnhancedAuthenticator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broker whose only authentication is an enhanced authenticator: it must not let in a client that simply names no
 * Authentication Method, must see the identity the exchange established rather than the user name the CONNECT
 * claimed, and must not keep a connection whose exchange never ends.
 */
class EnhancedOnlyAuthTest {
    /** One round: the client sends "token-&lt;user&gt;", and is that user; "wait" is never answered. */
    static final class TokenAuth implements Plugin {
        volatile PluginContext ctx;

        @Override
        public void start(PluginContext context) {
            ctx = context;
            context.registerEnhancedAuthenticator(new EnhancedAuthenticator() {
                @Override
                public Set<String> methods() {
                    return Set.of("TOKEN");
                }

                @Override
                public AuthConversation start(String method, AuthenticationRequest request) {
                    return data -> {
                        String token = new String(data, StandardCharsets.UTF_8);
                        if (token.equals("wait")) {
                            return CompletableFuture.completedFuture(AuthStep.challenge(new byte[] {'?'}));
                        }
                        return CompletableFuture.completedFuture(AuthStep.success(new byte[0],
                                token.substring("token-".length())));
                    };
                }
            });
        }
    }

    private final TokenAuth plugin = new TokenAuth();
    private EmbeddedBroker broker;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start(Map.of("mqtt.connect-timeout-seconds", 1), plugin);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static MqttProperties token(String data) {
        return MqttProperties.builder().string(PropertyId.AUTHENTICATION_METHOD, "TOKEN")
                .binary(PropertyId.AUTHENTICATION_DATA, data.getBytes(StandardCharsets.UTF_8)).build();
    }

    @Test
    void aClientThatNamesNoAuthenticationMethodIsRefused() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(RawClient.encode(new Connect(MqttVersion.V5, "claims-root", true, 60, "root", new byte[0], null,
                    MqttProperties.EMPTY), MqttVersion.V5));
            assertThat(((ConnAck) c.readUntil(PacketType.CONNACK).decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(c.closedByBroker()).isTrue();
        }
        try (RawClient c = new RawClient(broker.port())) {
            c.send(MalformedCorpus.connect(MqttVersion.V3_1_1, "old-client"));
            assertThat(c.readUntil(PacketType.CONNACK).byteAt(1)).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        }
        assertThat(broker.broker().metrics().refusedCount(
                io.gannet.broker.metrics.BrokerMetrics.Refusal.AUTHENTICATION_METHOD)).isEqualTo(2);
    }

    @Test
    void theIdentityOfTheExchangeIsTheClientsUserName() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(RawClient.encode(new Connect(MqttVersion.V5, "dev-7", true, 60, "root", null, null,
                    token("token-device-7")), MqttVersion.V5));
            assertThat(((ConnAck) c.readUntil(PacketType.CONNACK).decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.SUCCESS);
            assertThat(plugin.ctx.clients().connectedClient("dev-7")).map(ClientInfo::username)
                    .contains(java.util.Optional.of("device-7"));
        }
    }

    @Test
    void anExchangeThatNeverEndsIsRefusedAfterTheConnectTimeout() throws Exception {
        try (RawClient c = new RawClient(broker.port()).readTimeout(Duration.ofSeconds(10))) {
            c.send(RawClient.encode(new Connect(MqttVersion.V5, "stuck", true, 60, null, null, null,
                    token("wait")), MqttVersion.V5));
            Auth challenge = (Auth) c.readUntil(PacketType.AUTH).decode(MqttVersion.V5);
            assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            // No answer: the broker gives up on its own.
            assertThat(((ConnAck) c.readUntil(PacketType.CONNACK).decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(c.closedByBroker()).isTrue();
        }
    }
}
