package io.gannet.plugin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-address memory of failed logins, on a clock the test moves. */
class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginThrottle throttle = new LoginThrottle(500, 5_000, now::get);

    @Test
    void eachFailureInARowMakesTheAddressWaitLongerUpToTheMaximum() {
        assertThat(throttle.waitMillis("a")).isZero();
        assertThat(throttle.failed("a")).isEqualTo(1);
        assertThat(throttle.waitMillis("a")).isEqualTo(500);
        assertThat(throttle.delayMillis(1)).as("the answer to a first mistake is not held back").isZero();
        now.addAndGet(500);
        assertThat(throttle.waitMillis("a")).isZero();
        for (int i = 2; i <= 20; i++) {
            throttle.failed("a");
        }
        assertThat(throttle.waitMillis("a")).isEqualTo(5_000);
        assertThat(throttle.waitMillis("b")).as("per address").isZero();
        throttle.succeeded("a");
        assertThat(throttle.waitMillis("a")).isZero();
    }

    @Test
    void quietAddressesAreForgottenAndTheMemoryIsBounded() {
        throttle.failed("old");
        now.addAndGet(LoginThrottle.MEMORY_MILLIS + 1);
        throttle.failed("new");
        throttle.expire();
        assertThat(throttle.tracked()).isEqualTo(1);
        assertThat(throttle.failed("old")).as("counted from one again").isEqualTo(1);

        for (int i = 0; i <= LoginThrottle.MAX_TRACKED + 1; i++) {
            throttle.failed("10.0." + (i >> 8) + "." + (i & 255) + "/" + i);
        }
        assertThat(throttle.tracked()).isLessThanOrEqualTo(LoginThrottle.MAX_TRACKED);
    }
}
