package io.gannet.benchmarks.load;

import io.gannet.broker.transport.Transport;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * For the benchmark scripts: waits until a figure of {@code $SYS/broker/cluster/} equals a value on every node
 * listed, and prints how long that took ({@code benchmarks/cluster.sh --move}).
 *
 * <pre>java -cp 'lib/*:lib/bench/*' io.gannet.benchmarks.load.SysWait FIGURE VALUE TIMEOUT_SECONDS PORT[,PORT...]</pre>
 *
 * Exits 0 when every node got there within the timeout, 1 otherwise.
 */
public final class SysWait {
    private SysWait() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: SysWait FIGURE VALUE TIMEOUT_SECONDS PORT[,PORT...]");
            System.exit(2);
        }
        String figure = args[0];
        long value = Long.parseLong(args[1]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
        long start = System.nanoTime();
        EventLoopGroup group = Transport.select("auto").newGroup(1, "sys-wait");
        boolean all = true;
        try {
            for (String port : args[3].split(",")) {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (!SysFigure.await(group, Integer.parseInt(port), figure, v -> v == value, left)) {
                    System.out.printf(Locale.ROOT, "port %s: %s did not reach %d in time%n", port, figure, value);
                    all = false;
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (all) {
            System.out.printf(Locale.ROOT, "%s = %d on every node after %d ms%n", figure, value, millis);
        } else {
            System.out.printf(Locale.ROOT, "%s = %d not on every node after %d ms: NOT REACHED%n", figure, value,
                    millis);
        }
        System.exit(all ? 0 : 1);
    }
}
