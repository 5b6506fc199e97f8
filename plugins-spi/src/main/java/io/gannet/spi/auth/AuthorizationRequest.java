package io.gannet.spi.auth;

import io.gannet.spi.ClientInfo;
import io.gannet.spi.Stable;
import java.util.Optional;

/**
 * One question to a {@link TopicAuthorizer}.
 *
 * @param client the client asking
 * @param action publish to a topic name, or subscribe to a topic filter
 * @param topic     the topic name (PUBLISH) or topic filter (SUBSCRIBE; for a shared subscription the filter without
 *                  its {@code $share/{group}/} prefix)
 * @param shareName for a SUBSCRIBE to a shared subscription ({@code $share/{group}/{filter}}), its group; empty
 *                  otherwise (since 1.2; a broker of SPI 1.1 never fills it)
 * @since 1.0
 */
@Stable
public record AuthorizationRequest(ClientInfo client, Action action, String topic, Optional<String> shareName) {
    /** A question about anything but a shared subscription: the constructor of SPI 1.0 and 1.1. */
    public AuthorizationRequest(ClientInfo client, Action action, String topic) {
        this(client, action, topic, Optional.empty());
    }

    /** What the client wants to do. */
    public enum Action { PUBLISH, SUBSCRIBE }
}
