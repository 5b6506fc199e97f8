package io.gannet.broker.session;

import io.gannet.broker.message.Message;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session's two clocks: the will that waits for its Will Delay Interval [3.1.3.2.2], and the expiry of a session
 * whose client has gone [3.1.2.11.2]. Both run on the session's event loop and are cancelled when a client returns.
 */
final class SessionTimers {
    private final Session session;
    private Message pendingWill;
    private ScheduledFuture<?> willTimer;
    private ScheduledFuture<?> expiryTimer;

    SessionTimers(Session session) {
        this.session = session;
    }

    /** Ends the session after {@code delayMillis}, unless a client returns first. */
    void expireIn(long delayMillis) {
        cancel(expiryTimer);
        expiryTimer = session.owner().schedule(this::expiryPassed, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    void cancelExpiry() {
        cancel(expiryTimer);
        expiryTimer = null;
    }

    private void expiryPassed() {
        expiryTimer = null;
        session.expired();
    }

    /** Publishes {@code will} after {@code delayMillis}, unless a client resumes the session first. */
    void willIn(Message will, long delayMillis) {
        cancel(willTimer);
        pendingWill = will;
        willTimer = session.owner().schedule(this::willDelayPassed, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    }

    boolean hasPendingWill() {
        return pendingWill != null;
    }

    /** Removes the pending will and returns it, or {@code null}; its timer is cancelled. */
    Message takePendingWill() {
        Message will = pendingWill;
        pendingWill = null;
        cancel(willTimer);
        willTimer = null;
        return will;
    }

    private void willDelayPassed() {
        willTimer = null;
        session.willDue();
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
