package io.gannet.broker.publish;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.message.Message;
import java.util.concurrent.CompletableFuture;

/** Asks the plugins about each message a client publishes, before it is routed; the plugin adapter implements it. */
public interface InboundInterceptor {
    /** For a broker without inbound interceptors. */
    InboundInterceptor NONE = new InboundInterceptor() {
        @Override
        public boolean hasInbound() {
            return false;
        }

        @Override
        public CompletableFuture<InboundOutcome> inbound(ConnectAttempt publisher, Message message) {
            return CompletableFuture.completedFuture(new InboundOutcome(message, 0, null, false, null));
        }
    };

    /**
     * What the inbound chain decided.
     *
     * @param message    the message to deliver (the one published, or an interceptor's replacement); {@code null}
     *                   when dropped
     * @param ackCode    for a dropped message, the 5.0 reason code of its acknowledgement
     * @param ackReason  for a dropped message, the reason string, or {@code null}
     * @param failed     whether it was dropped because an interceptor failed
     * @param ackGate    completes when the acknowledgement may go out; {@code null} for at once
     */
    record InboundOutcome(Message message, int ackCode, String ackReason, boolean failed,
                          CompletableFuture<Void> ackGate) {
        public boolean dropped() {
            return message == null;
        }
    }

    /** Whether any interceptor is installed; when false, messages are not asked about. */
    boolean hasInbound();

    /** Runs the interceptors on a message {@code publisher} published. */
    CompletableFuture<InboundOutcome> inbound(ConnectAttempt publisher, Message message);
}
