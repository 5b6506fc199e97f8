package io.gannet.spi.publish;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Stable;
import java.util.concurrent.CompletionStage;

/**
 * Sees each message just before the broker sends it to one subscriber, and may change it for that subscriber or
 * hold it back (see {@link OutboundDecision}). It is asked once per delivery: a message resent after a reconnect is
 * sent as the interceptor left it the first time.
 *
 * <p>Asynchronous: called on the subscriber's network event loop, it must return at once without blocking. A stage
 * that completes later holds back that subscriber's later messages (so that they keep their order) for at most
 * {@code plugins.hook-timeout-ms}; on failure or timeout {@code plugins.interceptor-failure} decides whether the
 * message is dropped (the default) or sent as it is. Keep outbound interceptors cheap and synchronous where you
 * can: they run once per subscriber per message.
 *
 * <p>With several plugins' interceptors, they run in plugin priority order, each seeing the message as the previous
 * one left it. One instance serves every client: implementations must be thread-safe.
 *
 * @since 1.0
 */
@Stable
@FunctionalInterface
public interface OutboundPublishInterceptor {
    /**
     * @param subscriber the client the message is about to be sent to
     * @param message    the message, with the delivery QoS and retain flag of this subscriber
     */
    CompletionStage<OutboundDecision> onOutboundPublish(ClientInfo subscriber, PublishMessage message);
}
