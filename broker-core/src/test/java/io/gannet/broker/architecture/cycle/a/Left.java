package io.gannet.broker.architecture.cycle.a;

import io.gannet.broker.architecture.cycle.b.Right;

/** Half of a deliberate package cycle, for {@code LayeringTest} to catch. */
public final class Left {
    Right right;
}
