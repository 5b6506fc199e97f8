package io.gannet.spi.publish;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Stable;
import java.util.concurrent.CompletionStage;

/**
 * Sees every message a client publishes, after authorization and before the broker delivers or retains it, and
 * decides what happens to it (see {@link InboundDecision}). Messages the broker publishes itself (wills, {@code $SYS},
 * messages plugins publish) do not pass through it.
 *
 * <p>Asynchronous: {@link #onInboundPublish} is called on the publisher's network event loop and must return at
 * once, without blocking. A stage that is already complete costs nothing more; one that completes later holds back
 * that client's next packets (so that its messages keep their order) until it does, for at most
 * {@code plugins.hook-timeout-ms}. When the method throws, its stage fails, or the timeout passes,
 * {@code plugins.interceptor-failure} decides: {@code drop} (the default; a 5.0 publisher gets 0x80, a 3.1.1
 * publisher of QoS 1 or 2 is disconnected so that it sends again) or {@code proceed} (the message goes on as it
 * came). The failure is logged.
 *
 * <p>With several plugins' interceptors, they run in plugin priority order; each sees the message as the previous
 * one left it, and a drop ends the chain. One instance serves every client: implementations must be thread-safe.
 *
 * @since 1.0
 */
@Stable
@FunctionalInterface
public interface InboundPublishInterceptor {
    /**
     * @param publisher the client that published the message
     * @param message   the message as it arrived (topic aliases resolved), or as an earlier interceptor changed it
     */
    CompletionStage<InboundDecision> onInboundPublish(ClientInfo publisher, PublishMessage message);
}
