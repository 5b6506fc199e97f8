package io.gannet.broker.architecture.cycle.b;

import io.gannet.broker.architecture.cycle.a.Left;

/** The other half of the deliberate package cycle. */
public final class Right {
    Left left;
}
