package io.gannet.plugin.kafka;

/** A record was dropped, for good, to make room in a full buffer ({@code when-full: drop-oldest}). */
final class DroppedException extends RuntimeException {
    DroppedException(String message) {
        super(message, null, false, false);
    }
}
