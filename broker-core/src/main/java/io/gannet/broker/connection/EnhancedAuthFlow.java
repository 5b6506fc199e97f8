package io.gannet.broker.connection;

import io.gannet.broker.auth.AuthExchange;
import io.gannet.broker.auth.AuthStep;
import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.auth.EnhancedAuthenticator;
import io.gannet.broker.codec.Auth;
import io.gannet.broker.codec.MqttProperties;
import io.gannet.broker.codec.PropertyId;
import io.gannet.broker.codec.ReasonCode;
import java.util.Arrays;

/**
 * The AUTH packet exchange of one connection (section 4.12): after a CONNECT that names an Authentication Method,
 * and again whenever the client re-authenticates (AUTH 0x19). Runs on the connection's event loop; the
 * authenticator's answers may come from any thread and are brought back to it.
 */
final class EnhancedAuthFlow {
    private final MqttConnection connection;
    private final ConnectHandshake handshake;
    private final EnhancedAuthenticator authenticator;
    private final ConnectAttempt attempt;
    private final String method;
    private AuthExchange exchange;
    private boolean reauthentication;

    EnhancedAuthFlow(MqttConnection connection, ConnectHandshake handshake, EnhancedAuthenticator authenticator,
                     ConnectAttempt attempt, String method) {
        this.connection = connection;
        this.handshake = handshake;
        this.authenticator = authenticator;
        this.attempt = attempt;
        this.method = method;
    }

    String method() {
        return method;
    }

    /** Starts the exchange with the CONNECT's data; false when the method is not supported (CONNACK 0x8C). */
    boolean begin(byte[] connectData) {
        exchange = authenticator.start(method, attempt);
        if (exchange == null) {
            return false;
        }
        reauthentication = false;
        step(connectData);
        return true;
    }

    /** An AUTH from the client: the next step, or the start of a re-authentication. */
    void onAuth(Auth auth, boolean connected) {
        String itsMethod = auth.properties().string(PropertyId.AUTHENTICATION_METHOD);
        if (!method.equals(itsMethod)) {
            connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                    "AUTH with another authentication method than CONNECT's [MQTT-4.12.0-5]");
            return;
        }
        byte[] data = data(auth.properties());
        if (auth.reasonCode() == ReasonCode.RE_AUTHENTICATE && connected && exchange == null) {
            exchange = authenticator.start(method, attempt);
            if (exchange == null) {
                connection.disconnect(ReasonCode.BAD_AUTHENTICATION_METHOD, "method no longer available");
                return;
            }
            reauthentication = true;
            step(data);
        } else if (auth.reasonCode() == ReasonCode.CONTINUE_AUTHENTICATION && exchange != null) {
            step(data);
        } else {
            connection.protocolViolation(ReasonCode.PROTOCOL_ERROR,
                    "AUTH with reason 0x" + Integer.toHexString(auth.reasonCode()) + " out of turn");
        }
    }

    private void step(byte[] clientData) {
        AuthExchange current = exchange;
        current.respond(clientData).whenComplete((step, error) -> connection.eventLoop().execute(() -> {
            if (exchange != current) {
                return; // the connection moved on (closed) meanwhile
            }
            if (error != null || step == null) {
                fail(ReasonCode.UNSPECIFIED_ERROR);
                return;
            }
            switch (step.outcome()) {
                case CONTINUE -> connection.write(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, props(step)));
                case SUCCESS -> {
                    exchange = null;
                    if (reauthentication) {
                        connection.write(new Auth(ReasonCode.SUCCESS, props(step)));
                    } else {
                        handshake.authenticationSucceeded(step.serverData(), step.identity());
                    }
                }
                case FAILURE -> fail(step.reasonCode());
            }
        }));
    }

    private void fail(int reasonCode) {
        exchange = null;
        if (reauthentication) {
            connection.disconnect(reasonCode, "re-authentication failed"); // [MQTT-4.12.1-2]
        } else {
            handshake.authenticationFailed(reasonCode);
        }
    }

    private MqttProperties props(AuthStep step) {
        MqttProperties.Builder b = MqttProperties.builder().string(PropertyId.AUTHENTICATION_METHOD, method);
        if (step.serverData() != null && step.serverData().length > 0) {
            b.binary(PropertyId.AUTHENTICATION_DATA, step.serverData());
        }
        return b.build();
    }

    static byte[] data(MqttProperties props) {
        byte[] d = props.binary(PropertyId.AUTHENTICATION_DATA);
        return d == null ? new byte[0] : Arrays.copyOf(d, d.length);
    }

    /** Stops answering: the connection is closing. */
    void abandon() {
        if (exchange != null) {
            exchange.abandon();
        }
        exchange = null;
    }
}
