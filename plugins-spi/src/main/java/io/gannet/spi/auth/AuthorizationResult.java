package io.gannet.spi.auth;

import io.gannet.spi.Stable;

/**
 * A {@link TopicAuthorizer}'s decision.
 *
 * @since 1.0
 */
@Stable
public enum AuthorizationResult {
    /** The client may. */
    ALLOW,
    /** The client may not. */
    DENY,
    /** This authorizer does not decide: ask the next one. */
    NEXT
}
