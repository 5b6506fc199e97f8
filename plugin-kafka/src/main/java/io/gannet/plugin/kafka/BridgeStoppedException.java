package io.gannet.plugin.kafka;

/**
 * A record did not reach Kafka because the bridge stopped. Not a failure of the record: one waiting on disk is sent
 * after the restart.
 */
final class BridgeStoppedException extends RuntimeException {
    BridgeStoppedException() {
        super("the Kafka bridge stopped", null, false, false);
    }
}
