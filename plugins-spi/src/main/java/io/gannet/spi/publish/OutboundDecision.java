package io.gannet.spi.publish;

import io.gannet.spi.Stable;
import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link OutboundPublishInterceptor} decides about a message on its way to one subscriber: send it as it
 * is, send a changed copy, or do not send it to this subscriber.
 *
 * @since 1.0
 */
@Stable
public final class OutboundDecision {
    private static final OutboundDecision PROCEED = new OutboundDecision(null, false);
    private static final OutboundDecision DROP = new OutboundDecision(null, true);

    private final PublishMessage replacement;
    private final boolean drop;

    private OutboundDecision(PublishMessage replacement, boolean drop) {
        this.replacement = replacement;
        this.drop = drop;
    }

    /** Send the message as it is. */
    public static OutboundDecision proceed() {
        return PROCEED;
    }

    /**
     * Send {@code replacement} to this subscriber instead. Its QoS is the delivery QoS (the subscription's grant
     * already applied); a higher QoS is lowered back to it.
     */
    public static OutboundDecision proceed(PublishMessage replacement) {
        return new OutboundDecision(Objects.requireNonNull(replacement, "replacement"), false);
    }

    /** Do not send the message to this subscriber; others are not affected. */
    public static OutboundDecision drop() {
        return DROP;
    }

    public boolean isDrop() {
        return drop;
    }

    public Optional<PublishMessage> replacement() {
        return Optional.ofNullable(replacement);
    }

    @Override
    public String toString() {
        return drop ? "drop" : replacement == null ? "proceed" : "proceed(" + replacement + ")";
    }
}
