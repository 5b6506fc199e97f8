package io.gannet.broker.auth;

import io.gannet.broker.codec.ReasonCode;

/**
 * An authenticator's answer.
 *
 * @param reasonCode {@link ReasonCode#SUCCESS}, or the 5.0 CONNACK reason to refuse with (mapped for 3.x clients)
 * @param reason     a short text for the log and the 5.0 Reason String; never a secret
 */
public record AuthDecision(int reasonCode, String reason) {
    public static final AuthDecision ALLOW = new AuthDecision(ReasonCode.SUCCESS, "");

    public boolean allowed() {
        return reasonCode == ReasonCode.SUCCESS;
    }
}
