package io.gannet.broker.v5;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.broker.auth.AuthStep;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.ConnAck;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.MqttVersion;
import io.gannet.broker.codec.PacketType;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.testing.EmbeddedBroker;
import io.gannet.broker.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Enhanced authentication with AUTH packets: continue (0x18) and re-authenticate (0x19), section 4.12. */
class EnhancedAuthTest {
    private static final String METHOD = "TEST-CHALLENGE";

    /** Asks for "hello", challenges with a nonce, accepts the nonce signed. Answers from another thread. */
    private static final EnhancedAuthenticator CHALLENGE = (method, attempt) -> {
        if (!METHOD.equals(method)) {
            return null;
        }
        int[] round = {0};
        return data -> CompletableFuture.supplyAsync(() -> {
            String got = new String(data, StandardCharsets.UTF_8);
            return switch (round[0]++) {
                case 0 -> got.equals("hello") ? AuthStep.challenge(bytes("nonce-1"))
                        : AuthStep.failure(ReasonCode.NOT_AUTHORIZED);
                default -> got.equals("nonce-1-signed") ? AuthStep.success(bytes("welcome " + attempt.clientId()))
                        : AuthStep.failure(ReasonCode.NOT_AUTHORIZED);
            };
        });
    };

    private EmbeddedBroker broker;

    @BeforeEach
    void start() {
        broker = EmbeddedBroker.start(Map.of(), CHALLENGE);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MqttProperties auth(String method, String data) {
        return V5.props().string(PropertyId.AUTHENTICATION_METHOD, method)
                .binary(PropertyId.AUTHENTICATION_DATA, bytes(data)).build();
    }

    private static byte[] authPacket(int reason, String data) {
        return RawClient.encode(new Auth(reason, auth(METHOD, data)), MqttVersion.V5);
    }

    private static String data(MqttProperties p) {
        return new String(p.binary(PropertyId.AUTHENTICATION_DATA), StandardCharsets.UTF_8);
    }

    /** Runs the two-step exchange up to CONNACK. */
    private static ConnAck authenticate(RawClient c, String answer) throws Exception {
        c.send(V5.connect("alice", true, auth(METHOD, "hello")));
        Auth challenge = (Auth) c.read().decode(MqttVersion.V5);
        assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
        assertThat(challenge.properties().string(PropertyId.AUTHENTICATION_METHOD)).isEqualTo(METHOD);
        assertThat(data(challenge.properties())).isEqualTo("nonce-1");
        c.send(authPacket(ReasonCode.CONTINUE_AUTHENTICATION, answer));
        return (ConnAck) c.read().decode(MqttVersion.V5);
    }

    @Test
    void challengeAndResponseLeadToConnAck() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            ConnAck ack = authenticate(c, "nonce-1-signed");
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(ack.properties().string(PropertyId.AUTHENTICATION_METHOD)).isEqualTo(METHOD);
            assertThat(data(ack.properties())).isEqualTo("welcome alice");
            c.send(io.gannet.broker.testing.MalformedCorpus.packet(0xC0));
            assertThat(c.read().type()).isEqualTo(PacketType.PINGRESP);
        }
    }

    @Test
    void wrongResponseIsRefused() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            assertThat(authenticate(c, "forged").reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void unknownMethodGetsBadAuthenticationMethod() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("bob", true, auth("KERBEROS", "ticket")));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void withoutAnEnhancedAuthenticatorEveryMethodIsRefused() throws Exception {
        try (EmbeddedBroker plain = EmbeddedBroker.start(); RawClient c = new RawClient(plain.port())) {
            c.send(V5.connect("carol", true, auth(METHOD, "hello")));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).reasonCode())
                    .isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
        }
    }

    @Test
    void reauthenticationRunsTheExchangeAgain() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            authenticate(c, "nonce-1-signed");
            c.send(authPacket(ReasonCode.RE_AUTHENTICATE, "hello"));
            Auth challenge = (Auth) c.read().decode(MqttVersion.V5);
            assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            c.send(authPacket(ReasonCode.CONTINUE_AUTHENTICATION, "nonce-1-signed"));
            Auth done = (Auth) c.read().decode(MqttVersion.V5);
            assertThat(done.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(data(done.properties())).isEqualTo("welcome alice");
        }
    }

    @Test
    void failedReauthenticationDisconnects() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            authenticate(c, "nonce-1-signed");
            c.send(authPacket(ReasonCode.RE_AUTHENTICATE, "not hello"));
            RawClient.RawPacket d = c.readUntil(PacketType.DISCONNECT);
            assertThat(d.byteAt(0)).as("[MQTT-4.12.1-2]").isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(c.closedByBroker()).isTrue();
        }
    }

    @Test
    void otherPacketsBeforeConnAckAreAProtocolError() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            c.send(V5.connect("eve", true, auth(METHOD, "hello")));
            assertThat(c.read().type()).isEqualTo(PacketType.AUTH);
            c.send(V5.publish("t", 0, 0, MqttProperties.EMPTY, "too early"));
            assertThat(((ConnAck) c.read().decode(MqttVersion.V5)).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void authWithAnotherMethodIsAProtocolError() throws Exception {
        try (RawClient c = new RawClient(broker.port())) {
            authenticate(c, "nonce-1-signed");
            c.send(RawClient.encode(new Auth(ReasonCode.RE_AUTHENTICATE, auth("OTHER", "x")), MqttVersion.V5));
            assertThat(c.readUntil(PacketType.DISCONNECT).byteAt(0)).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
    }
}
