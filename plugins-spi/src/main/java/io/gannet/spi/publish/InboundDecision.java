package io.gannet.spi.publish;

import io.gannet.spi.Stable;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What an {@link InboundPublishInterceptor} decides about a message a client published: let it go on (as it came,
 * or changed), or drop it; and, in either case, optionally hold the publisher's acknowledgement until a stage
 * completes.
 *
 * <p>Holding the acknowledgement gives end-to-end at-least-once delivery into another system: return
 * {@code InboundDecision.proceed().acknowledgeWhen(kafkaSend)} and the client gets its PUBACK (or PUBREC) only when
 * the record is safe. Until then the client's MQTT session holds the message for resending. If the stage fails, or
 * does not complete within {@code plugins.acknowledgement-timeout-seconds}, a 5.0 client gets 0x80 (unspecified
 * error) and a 3.1.1 client is disconnected without an acknowledgement, so that it sends the message again.
 * Acknowledgements still go out in the order the messages came [MQTT-4.6.0-2].
 *
 * @since 1.0
 */
@Stable
public final class InboundDecision {
    private static final InboundDecision PROCEED = new InboundDecision(null, false, AckReason.SUCCESS, null, null);

    private final PublishMessage replacement;
    private final boolean drop;
    private final AckReason ackReason;
    private final String reasonString;
    private final CompletionStage<?> acknowledgeWhen;

    private InboundDecision(PublishMessage replacement, boolean drop, AckReason ackReason, String reasonString,
                            CompletionStage<?> acknowledgeWhen) {
        this.replacement = replacement;
        this.drop = drop;
        this.ackReason = ackReason;
        this.reasonString = reasonString;
        this.acknowledgeWhen = acknowledgeWhen;
    }

    /** The message goes on as it came. */
    public static InboundDecision proceed() {
        return PROCEED;
    }

    /**
     * The message goes on as {@code replacement}: another topic, payload, QoS (at most the one it came with makes
     * sense), retain flag or properties. Later interceptors see the replacement.
     */
    public static InboundDecision proceed(PublishMessage replacement) {
        return new InboundDecision(Objects.requireNonNull(replacement, "replacement"), false, AckReason.SUCCESS, null,
                null);
    }

    /**
     * The message is not delivered, not retained, and later interceptors do not see it. A 5.0 publisher gets
     * {@code ackReason} in its PUBACK/PUBREC, with {@code reasonString} if it asked for problem information; QoS 0
     * has no acknowledgement.
     */
    public static InboundDecision drop(AckReason ackReason, String reasonString) {
        return new InboundDecision(null, true, Objects.requireNonNull(ackReason, "ackReason"), reasonString, null);
    }

    /** Drops the message quietly: the publisher gets a success acknowledgement. */
    public static InboundDecision drop() {
        return drop(AckReason.SUCCESS, null);
    }

    /**
     * The same decision, with the publisher's acknowledgement held until {@code safe} completes normally. Delivery to
     * subscribers does not wait. For QoS 0 there is no acknowledgement and {@code safe} is only observed.
     */
    public InboundDecision acknowledgeWhen(CompletionStage<?> safe) {
        return new InboundDecision(replacement, drop, ackReason, reasonString, Objects.requireNonNull(safe, "safe"));
    }

    /** Whether the message is dropped. */
    public boolean isDrop() {
        return drop;
    }

    /** The message that replaces the published one, if the interceptor changed it. */
    public Optional<PublishMessage> replacement() {
        return Optional.ofNullable(replacement);
    }

    /** For a drop: the reason code for a 5.0 publisher. */
    public AckReason ackReason() {
        return ackReason;
    }

    /** For a drop: the reason string for a 5.0 publisher, if any. */
    public Optional<String> reasonString() {
        return Optional.ofNullable(reasonString);
    }

    /** The stage the acknowledgement waits for, if any. */
    public Optional<CompletionStage<?>> acknowledgeWhen() {
        return Optional.ofNullable(acknowledgeWhen);
    }

    @Override
    public String toString() {
        return (drop ? "drop(" + ackReason + ")" : replacement == null ? "proceed" : "proceed(" + replacement + ")")
                + (acknowledgeWhen == null ? "" : ".acknowledgeWhen(...)");
    }
}
