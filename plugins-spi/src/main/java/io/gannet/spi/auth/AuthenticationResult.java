package io.gannet.spi.auth;

import io.gannet.spi.Stable;
import java.util.Objects;

/**
 * An authenticator's decision.
 *
 * @since 1.0
 */
@Stable
public final class AuthenticationResult {
    /** Why a client is refused; the broker turns it into the CONNACK code of the client's MQTT version. */
    public enum Refusal {
        /** Unknown user or wrong password (5.0: 0x86, 3.1.1: 4). */
        BAD_CREDENTIALS,
        /** Known, but not allowed to connect (5.0: 0x87, 3.1.1: 5). */
        NOT_AUTHORIZED,
        /** Refused for a while, for example after repeated failures (5.0: 0x8A, 3.1.1: 5). */
        BANNED,
        /** The authenticator cannot decide now, for example its database is down (5.0: 0x88, 3.1.1: 3). */
        SERVER_UNAVAILABLE
    }

    private static final AuthenticationResult SUCCESS = new AuthenticationResult(Kind.SUCCESS, null, "", null);
    private static final AuthenticationResult NEXT = new AuthenticationResult(Kind.NEXT, null, "", null);

    private enum Kind { SUCCESS, REFUSE, NEXT }

    private final Kind kind;
    private final Refusal refusal;
    private final String reason;
    private final String username;

    private AuthenticationResult(Kind kind, Refusal refusal, String reason, String username) {
        this.kind = kind;
        this.refusal = refusal;
        this.reason = reason;
        this.username = username;
    }

    /** The client may connect. */
    public static AuthenticationResult success() {
        return SUCCESS;
    }

    /**
     * The client may connect, as {@code username}: authorization and logs then use this name instead of the one
     * in CONNECT (if any). For identities that come from elsewhere, such as a verified client certificate.
     */
    public static AuthenticationResult success(String username) {
        return new AuthenticationResult(Kind.SUCCESS, null, "", Objects.requireNonNull(username));
    }

    /**
     * The client is refused.
     *
     * @param reason a short text for the broker's log and the 5.0 Reason String; never a secret
     */
    public static AuthenticationResult refuse(Refusal refusal, String reason) {
        return new AuthenticationResult(Kind.REFUSE, Objects.requireNonNull(refusal), Objects.requireNonNull(reason),
                null);
    }

    /** This authenticator does not decide for this client: ask the next one. */
    public static AuthenticationResult next() {
        return NEXT;
    }

    public boolean isSuccess() {
        return kind == Kind.SUCCESS;
    }

    public boolean isNext() {
        return kind == Kind.NEXT;
    }

    /** Why the client was refused; {@code null} unless this is a refusal. */
    public Refusal refusal() {
        return refusal;
    }

    public String reason() {
        return reason;
    }

    /** The user name the client is authenticated as, when the authenticator chose one; else {@code null}. */
    public String username() {
        return username;
    }

    @Override
    public String toString() {
        return kind == Kind.REFUSE ? "refuse(" + refusal + ", " + reason + ")" : kind.toString().toLowerCase();
    }
}
