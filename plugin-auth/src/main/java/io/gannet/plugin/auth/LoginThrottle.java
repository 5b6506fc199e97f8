package io.gannet.plugin.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the plugin remembers of failed logins, per remote address, so that guessing passwords gets slow and cheap to
 * refuse: after the n-th failure in a row, an address must wait {@code step * n} (at most {@code max}) before its
 * next attempt is even checked; one that comes sooner is refused without hashing, so a flood of bad CONNECTs
 * cannot keep the hashing threads from real logins. (The answer to the n-th failure itself is held back
 * {@link #delayMillis} = {@code step * (n - 1)}, so one mistyped password costs nothing, but a second try must wait
 * {@code step}.) A success forgets the address; so do ten quiet minutes.
 * Thread-safe.
 */
final class LoginThrottle {
    /** How long a failure is remembered without another one. */
    static final long MEMORY_MILLIS = 10 * 60_000;
    /** The most addresses remembered; past it, the expired ones go, and if that is not enough, all. */
    static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long lastMillis) {
    }

    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();
    private final long stepMillis;
    private final long maxMillis;
    private final LongSupplier clock;

    LoginThrottle(long stepMillis, long maxMillis, LongSupplier clock) {
        this.stepMillis = stepMillis;
        this.maxMillis = maxMillis;
        this.clock = clock;
    }

    /** How much longer {@code address} must wait before its next attempt is checked; 0 when it may try now. */
    long waitMillis(String address) {
        Failures f = byAddress.get(address);
        if (f == null) {
            return 0;
        }
        return Math.max(0, f.lastMillis() + Math.min(maxMillis, stepMillis * f.count()) - clock.getAsLong());
    }

    /** Records a failure; returns how many in a row came from {@code address}, this one included. */
    int failed(String address) {
        long now = clock.getAsLong();
        Failures f = byAddress.merge(address, new Failures(1, now), (old, one) -> new Failures(
                now - old.lastMillis() > MEMORY_MILLIS ? 1 : old.count() + 1, now));
        if (byAddress.size() > MAX_TRACKED) {
            expire();
            if (byAddress.size() > MAX_TRACKED) {
                byAddress.clear(); // a spread-out attack: forgetting is better than running out of memory
            }
        }
        return f.count();
    }

    void succeeded(String address) {
        byAddress.remove(address);
    }

    /** The wait after the n-th failure in a row: none after the first. */
    long delayMillis(int failures) {
        return Math.min(maxMillis, stepMillis * (failures - 1));
    }

    /** Forgets addresses quiet for {@link #MEMORY_MILLIS}; run now and then. */
    void expire() {
        long before = clock.getAsLong() - MEMORY_MILLIS;
        byAddress.values().removeIf(f -> f.lastMillis() < before);
    }

    int tracked() {
        return byAddress.size();
    }
}
