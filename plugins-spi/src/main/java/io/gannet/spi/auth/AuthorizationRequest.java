package io.gannet.spi.auth;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Stable;

/**
 * One question to a {@link TopicAuthorizer}.
 *
 * @param client the client asking
 * @param action publish to a topic name, or subscribe to a topic filter
 * @param topic  the topic name (PUBLISH) or topic filter (SUBSCRIBE; for a shared subscription the filter without
 *               its {@code $share/{group}/} prefix)
 * @since 1.0
 */
@Stable
public record AuthorizationRequest(ClientInfo client, Action action, String topic) {
    /** What the client wants to do. */
    public enum Action { PUBLISH, SUBSCRIBE }
}
