package io.gannet.broker.codec;

import io.gannet.broker.session.Session;

/**
 * A deliberate layering violation, in test sources only: the codec, the bottom layer, reaching up to a session.
 * {@code LayeringTest} shows that its rule catches it.
 */
final class UpwardsFixture {
    Session session;
}
