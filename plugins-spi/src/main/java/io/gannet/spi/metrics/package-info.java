/** Counters and gauges a plugin publishes about itself, beside the broker's own statistics. */
package io.gannet.spi.metrics;
