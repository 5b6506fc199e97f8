package io.gannet.broker.store;

/**
 * A store refused to keep a new message because it has no room left (the persistence module's
 * {@code persistence.max-disk-bytes}). The publisher learns it: a 5.0 client gets 0x97 Quota exceeded, a 3.1.1
 * client is disconnected without an acknowledgement, so that it sends the message again later. Nothing the store
 * already acknowledged is affected.
 */
public final class StoreFullException extends RuntimeException {
    public StoreFullException(String message) {
        super(message, null, false, false); // a refusal, not a fault: no stack trace to fill on the hot path
    }
}
