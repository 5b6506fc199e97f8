package io.gannet.spi.auth;

import io.gannet.spi.Stable;
import java.util.Objects;
import java.util.Optional;

/**
 * One step of an enhanced-authentication exchange: a challenge for the client, success, or refusal.
 *
 * @since 1.0
 */
@Stable
public final class AuthStep {
    private enum Kind { CHALLENGE, SUCCESS, REFUSE }

    private final Kind kind;
    private final byte[] data;
    private final AuthenticationResult.Refusal refusal;
    private final String reason;
    private final String identity;

    private AuthStep(Kind kind, byte[] data, AuthenticationResult.Refusal refusal, String reason, String identity) {
        this.kind = kind;
        this.data = data;
        this.refusal = refusal;
        this.reason = reason;
        this.identity = identity;
    }

    /** Sends {@code challenge} to the client in an AUTH packet (reason 0x18) and waits for its answer. */
    public static AuthStep challenge(byte[] challenge) {
        return new AuthStep(Kind.CHALLENGE, Objects.requireNonNull(challenge, "challenge"), null, "", null);
    }

    /**
     * The client is authenticated; {@code finalData} (may be empty) goes to it in the CONNACK, or in the AUTH that
     * ends a re-authentication.
     */
    public static AuthStep success(byte[] finalData) {
        return new AuthStep(Kind.SUCCESS, Objects.requireNonNull(finalData, "finalData"), null, "", null);
    }

    /**
     * The client is authenticated as {@code identity}: from here on hooks, access rules and the session's owner see
     * that user name, not the one the CONNECT claimed (which an exchange need not even check).
     *
     * @since 1.2
     */
    public static AuthStep success(byte[] finalData, String identity) {
        return new AuthStep(Kind.SUCCESS, Objects.requireNonNull(finalData, "finalData"), null, "",
                Objects.requireNonNull(identity, "identity"));
    }

    /** The client is refused, with the CONNACK (or DISCONNECT, on re-authentication) code for {@code refusal}. */
    public static AuthStep refuse(AuthenticationResult.Refusal refusal, String reason) {
        return new AuthStep(Kind.REFUSE, new byte[0], Objects.requireNonNull(refusal, "refusal"),
                Objects.requireNonNull(reason, "reason"), null);
    }

    public boolean isChallenge() {
        return kind == Kind.CHALLENGE;
    }

    public boolean isSuccess() {
        return kind == Kind.SUCCESS;
    }

    /** The challenge or final data for the client; empty for a refusal. */
    public byte[] data() {
        return data;
    }

    /** Why the client was refused, for a refusal. */
    public Optional<AuthenticationResult.Refusal> refusal() {
        return Optional.ofNullable(refusal);
    }

    public String reason() {
        return reason;
    }

    /**
     * For a success, the user name the exchange established, if it named one.
     *
     * @since 1.2
     */
    public Optional<String> identity() {
        return Optional.ofNullable(identity);
    }

    @Override
    public String toString() {
        return kind == Kind.REFUSE ? "refuse(" + refusal + ", " + reason + ")" : kind.toString().toLowerCase();
    }
}
