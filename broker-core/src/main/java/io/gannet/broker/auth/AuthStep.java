package io.gannet.broker.auth;

import io.gannet.broker.codec.ReasonCode;

/**
 * One step of an enhanced-authentication exchange.
 *
 * @param outcome    whether to continue, accept or refuse
 * @param serverData Authentication Data for the client (a challenge, or final data on success); may be empty
 * @param reasonCode on refusal, the reason for CONNACK or DISCONNECT (0x87 not authorized, 0x86 ...)
 * @param identity   on success, the user name the exchange established, or {@code null} to keep the CONNECT's
 */
public record AuthStep(Outcome outcome, byte[] serverData, int reasonCode, String identity) {
    /** Where the exchange goes next. */
    public enum Outcome { CONTINUE, SUCCESS, FAILURE }

    public static AuthStep challenge(byte[] data) {
        return new AuthStep(Outcome.CONTINUE, data, ReasonCode.CONTINUE_AUTHENTICATION, null);
    }

    public static AuthStep success(byte[] data) {
        return success(data, null);
    }

    public static AuthStep success(byte[] data, String identity) {
        return new AuthStep(Outcome.SUCCESS, data, ReasonCode.SUCCESS, identity);
    }

    public static AuthStep failure(int reasonCode) {
        return new AuthStep(Outcome.FAILURE, new byte[0], reasonCode, null);
    }
}
