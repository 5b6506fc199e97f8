package io.gannet.broker.auth;

import io.gannet.broker.codec.ReasonCode;

/**
 * An authenticator's answer.
 *
 * @param reasonCode {@link ReasonCode#SUCCESS}, or the 5.0 CONNACK reason to refuse with (mapped for 3.x clients)
 * @param reason     a short text for the log and the 5.0 Reason String; never a secret
 * @param username   the user name the client is authenticated as, when the authenticator chose one (from a client
 *                   certificate, say); {@code null} to keep the one in CONNECT
 */
public record AuthDecision(int reasonCode, String reason, String username) {
    public static final AuthDecision ALLOW = new AuthDecision(ReasonCode.SUCCESS, "", null);

    public AuthDecision(int reasonCode, String reason) {
        this(reasonCode, reason, null);
    }

    public boolean allowed() {
        return reasonCode == ReasonCode.SUCCESS;
    }
}
