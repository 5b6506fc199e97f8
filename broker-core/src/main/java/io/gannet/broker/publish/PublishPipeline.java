package io.gannet.broker.publish;

import io.gannet.broker.auth.Authorizer;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.message.Message;
import io.gannet.broker.retain.RetainedStore;
import io.gannet.broker.routing.MessageRouter;
import io.gannet.broker.routing.Routed;
import io.gannet.broker.session.Session;
import io.gannet.broker.session.WillPublisher;
import io.gannet.broker.auth.ConnectAttempt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The one way a message goes into the broker, whoever publishes it: a client (authorize, intercept, retain, route),
 * a will whose time has come, a plugin or {@code $SYS} (the broker's own authority: retain, route). A durable store
 * is waited for only through what {@link Routed#stored()} carries; nothing here blocks.
 */
public final class PublishPipeline implements WillPublisher {
    /**
     * The plugins' hooks on the way in.
     *
     * @param authorizer   {@link Authorizer#ALLOW_ALL} when no plugin authorizes
     * @param interceptors {@link InboundInterceptor#NONE} when no plugin intercepts
     */
    public record Hooks(Authorizer authorizer, InboundInterceptor interceptors) {
        public static final Hooks NONE = new Hooks(Authorizer.ALLOW_ALL, InboundInterceptor.NONE);
    }

    private final RetainedStore retained;
    private final MessageRouter router;
    /** Installed once the plugins have started, before any listener opens: plugins may publish while starting. */
    private volatile Hooks hooks = Hooks.NONE;

    public PublishPipeline(RetainedStore retained, MessageRouter router) {
        this.retained = retained;
        this.router = router;
    }

    /** Installs the plugins' hooks; at start, before any client can publish. */
    public void install(Hooks pluginHooks) {
        hooks = pluginHooks;
    }

    /**
     * Publishes a client's message: asks the authorizer (through the connection's cache), then the inbound
     * interceptors, then delivers it, and answers {@code origin} with one of its three outcomes. Decisions that are
     * not there at once suspend the connection's input until they are, so later packets keep their order.
     */
    public <P> void publish(P packet, Message message, PublishOrigin<P> origin) {
        if (message.topic().charAt(0) == '$' && isBrokers(message.topic())) {
            origin.denied(packet); // only the broker speaks under $SYS
            return;
        }
        Hooks h = hooks;
        if (h.authorizer() == Authorizer.ALLOW_ALL) {
            if (!h.interceptors().hasInbound()) {
                // No plugin asks about it: delivered here, no question, no allocation, and no frame more than
                // needed on the publish path (the JIT inlines only so deep).
                origin.accepted(packet, deliver(message, origin.session()), null);
            } else {
                intercept(packet, message, origin);
            }
            return;
        }
        whenAuthorized(origin, Authorizer.Action.PUBLISH, message.topic(), allowed -> {
            if (allowed) {
                intercept(packet, message, origin);
            } else {
                origin.denied(packet);
            }
        });
    }

    /**
     * Whether {@code client} may publish to {@code topic}, asked of the authorizer without a cache: for a will, at
     * CONNECT. Nobody but the broker publishes under {@code $SYS}.
     */
    public CompletionStage<Boolean> mayPublish(ConnectAttempt client, String topic) {
        if (isBrokers(topic)) {
            return CompletableFuture.completedFuture(false);
        }
        return hooks.authorizer().authorize(client, Authorizer.Action.PUBLISH, topic);
    }

    /**
     * Whether {@code client} may subscribe to {@code filter} (a shared subscription's with its
     * {@code $share/{group}/} prefix), asked of the authorizer without a cache.
     */
    public CompletionStage<Boolean> mayRead(ConnectAttempt client, String filter) {
        return hooks.authorizer().authorize(client, Authorizer.Action.SUBSCRIBE, filter);
    }

    /** The broker's own tree: {@code $SYS} and below. */
    static boolean isBrokers(String topic) {
        return topic.startsWith("$SYS") && (topic.length() == 4 || topic.charAt(4) == '/');
    }

    /** Whether the authorizer asks anything: without one, every client may do everything. */
    public boolean authorizes() {
        return hooks.authorizer() != Authorizer.ALLOW_ALL;
    }

    /**
     * Asks the authorizer (through the connection's cache) and continues with {@code then} on the connection's event
     * loop. A decision not available at once suspends the connection's input until it is.
     */
    public void whenAuthorized(PublishOrigin<?> origin, Authorizer.Action action, String topic,
                               Consumer<Boolean> then) {
        AuthorizationCache decisions = origin.authorizations();
        Boolean cached = decisions.get(action, topic);
        if (cached != null) {
            then.accept(cached);
            return;
        }
        CompletableFuture<Boolean> f = hooks.authorizer().authorize(origin.client(), action, topic)
                .toCompletableFuture();
        if (f.isDone()) {
            boolean allowed = !f.isCompletedExceptionally() && Boolean.TRUE.equals(f.join());
            decisions.put(action, topic, allowed);
            then.accept(allowed);
            return;
        }
        origin.suspendInput();
        f.whenComplete((ok, error) -> origin.executor().execute(() -> {
            boolean allowed = error == null && Boolean.TRUE.equals(ok);
            decisions.put(action, topic, allowed);
            if (origin.isActive()) {
                then.accept(allowed);
            }
            origin.resumeInput();
        }));
    }

    private <P> void intercept(P packet, Message message, PublishOrigin<P> origin) {
        InboundInterceptor interceptors = hooks.interceptors();
        if (!interceptors.hasInbound()) {
            origin.accepted(packet, deliver(message, origin.session()), null);
            return;
        }
        CompletableFuture<InboundInterceptor.InboundOutcome> decided = interceptors.inbound(origin.client(), message);
        if (decided.isDone()) {
            intercepted(packet, decided.join(), origin);
            return;
        }
        origin.suspendInput(); // later packets wait, so that messages keep their order
        decided.whenComplete((outcome, error) -> origin.executor().execute(() -> {
            if (origin.isActive()) {
                intercepted(packet, error == null ? outcome : new InboundInterceptor.InboundOutcome(null,
                        ReasonCode.UNSPECIFIED_ERROR, "the message could not be processed", true, null), origin);
            }
            origin.resumeInput();
        }));
    }

    private <P> void intercepted(P packet, InboundInterceptor.InboundOutcome outcome, PublishOrigin<P> origin) {
        if (outcome.dropped()) {
            origin.dropped(packet, outcome);
        } else {
            origin.accepted(packet, deliver(outcome.message(), origin.session()), outcome.ackGate());
        }
    }

    /**
     * The last step of every publish: stores (or clears) the topic's retained message when the RETAIN flag asks, then
     * routes. Callable from any thread.
     *
     * @param publisher the publishing session, for No Local; {@code null} for the broker's own messages
     */
    public Routed deliver(Message message, Session publisher) {
        CompletableFuture<Void> retainedKept = message.retain() ? retained.put(message) : null;
        if (retainedKept != null && retainedKept.isCompletedExceptionally()) {
            // The retained store refused it at once (its limits, a full disk): the message is refused as a whole,
            // not delivered without being retained as its publisher asked.
            return Routed.refused(retainedKept);
        }
        return router.route(message, publisher).alsoWaitingFor(retainedKept);
    }

    /**
     * A will whose time has come: through the inbound interceptors as its client's messages go (they may change or
     * drop it), then retained and routed. Its topic was authorized when the client connected.
     */
    @Override
    public void publishWill(Message will, ConnectAttempt publisher) {
        InboundInterceptor interceptors = hooks.interceptors();
        if (!interceptors.hasInbound()) {
            deliver(will, null);
            return;
        }
        interceptors.inbound(publisher, will).whenComplete((outcome, error) -> {
            if (error == null && !outcome.dropped()) {
                deliver(outcome.message(), null);
            }
        });
    }

    /** A plugin's or {@code $SYS}'s message: the broker's own authority, no authorization, no interception. */
    public Routed publishAsBroker(Message message) {
        return deliver(message, null);
    }
}
