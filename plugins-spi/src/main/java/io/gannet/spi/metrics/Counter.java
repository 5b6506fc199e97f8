package io.gannet.spi.metrics;

import io.gannet.spi.DoNotImplement;
import io.gannet.spi.Stable;

/**
 * A count that only goes up, such as messages forwarded or errors seen. Cheap and safe to update from any thread,
 * also on the publish path.
 *
 * @since 1.0
 */
@Stable
@DoNotImplement
public interface Counter {
    /** Adds one. */
    void increment();

    /** Adds {@code amount}, which must not be negative. */
    void add(long amount);

    /** The current count. */
    long value();
}
