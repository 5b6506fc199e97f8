/**
 * {@code gannet-bench}: a load generator for any MQTT broker (see {@link io.gannet.benchmarks.load.LoadGenerator}).
 * Its own small MQTT client codec writes straight into pooled buffers and parses in place, so that it costs less
 * CPU per message than the broker it measures.
 */
package io.gannet.benchmarks.load;
