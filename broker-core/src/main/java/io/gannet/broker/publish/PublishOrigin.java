package io.gannet.broker.publish;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.routing.Routed;
import io.gannet.broker.session.Session;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Where a client's message enters the {@link PublishPipeline} from, and where its answer goes: the connection, which
 * turns the answer into an acknowledgement. The packet it published travels along as {@code P}, so that the
 * pipeline needs no object of its own per message. Every method is called on the connection's event loop.
 *
 * @param <P> the published packet
 */
public interface PublishOrigin<P> {
    /** Who published, as it connected. */
    ConnectAttempt client();

    /** The publishing session, for No Local. */
    Session session();

    /** The connection's cached authorization decisions. */
    AuthorizationCache authorizations();

    /** The connection's event loop, where asynchronous answers are brought back. */
    Executor executor();

    /** Whether the connection is still open: an answer that comes after it closed is not acted on. */
    boolean isActive();

    /**
     * Holds back the connection's next packets until {@link #resumeInput}, so that they keep their order behind a
     * decision that is not there at once. Calls nest.
     */
    void suspendInput();

    void resumeInput();

    /**
     * The message was delivered (and retained).
     *
     * @param ackGate an interceptor's hold on the acknowledgement, or {@code null}
     */
    void accepted(P packet, Routed routed, CompletableFuture<Void> ackGate);

    /** The authorizer refused the message. */
    void denied(P packet);

    /** An inbound interceptor dropped the message, or failed. */
    void dropped(P packet, InboundInterceptor.InboundOutcome outcome);
}
