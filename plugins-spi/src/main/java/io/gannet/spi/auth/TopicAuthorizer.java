package io.gannet.spi.auth;

import io.gannet.spi.Stable;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may publish to a topic or subscribe to a topic filter.
 *
 * <p>Asynchronous, like {@link ConnectAuthenticator}: return at once and complete the stage later. The broker
 * caches each decision per connection (by action and topic) until the plugin calls
 * {@link io.gannet.spi.PluginContext#invalidateAuthorizations()}, so a decision is asked for once per connection,
 * not once per message. While a decision is pending, the client's later packets wait, so their order is kept.
 *
 * <p>Several plugins' authorizers are asked in priority order; the first answer other than
 * {@link AuthorizationResult#NEXT} decides. When authorizers are registered and none decides, the answer is
 * {@link AuthorizationResult#DENY}. A hook that throws, fails or times out denies: authorization fails closed.
 *
 * <p>What a denial does: a PUBLISH is not delivered (5.0 QoS 1/2 get reason 0x87 in PUBACK/PUBREC; 3.1.1 clients
 * are disconnected or the message dropped, as {@code mqtt.v3-denied-publish} says); a subscription gets SUBACK
 * 0x87 (5.0) or 0x80 (3.1.1).
 *
 * @since 1.0
 */
@Stable
@FunctionalInterface
public interface TopicAuthorizer {
    CompletionStage<AuthorizationResult> authorize(AuthorizationRequest request);
}
