package io.gannet.broker.session;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.message.Message;
import java.util.concurrent.CompletableFuture;

/** Asks the plugins about each delivery before it is sent; the plugin adapter implements it. */
public interface OutboundInterceptor {
    /** For a broker without outbound interceptors. */
    OutboundInterceptor NONE = new OutboundInterceptor() {
        @Override
        public boolean hasOutbound() {
            return false;
        }

        @Override
        public CompletableFuture<Message> outbound(ConnectAttempt subscriber, Message message, int qos,
                                                   boolean retain) {
            return CompletableFuture.completedFuture(message);
        }
    };

    /** Whether any interceptor is installed; when false, deliveries are not asked about. */
    boolean hasOutbound();

    /**
     * Runs the interceptors on one delivery to {@code subscriber}.
     *
     * @return the message to send (the same instance when unchanged, with {@code qos} and {@code retain} then
     *         unchanged too), or {@code null} to send nothing
     */
    CompletableFuture<Message> outbound(ConnectAttempt subscriber, Message message, int qos, boolean retain);
}
