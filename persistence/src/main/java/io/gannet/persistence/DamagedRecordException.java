package io.gannet.persistence;

/** A journal entry that cannot be read as written: torn by a crash, or damaged on disk. Replay stops before it. */
final class DamagedRecordException extends RuntimeException {
    DamagedRecordException(String message) {
        super(message);
    }
}
