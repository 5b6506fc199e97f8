package io.gannet.broker.connection;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds a connection's input while an earlier packet waits for an answer that is not there yet (the session's
 * attachment after CONNECT, an asynchronous authorization or interceptor decision), so that packets are handled in
 * the order they came. The socket is not read meanwhile; what was already decoded waits here. On the connection's
 * event loop only.
 */
final class InputGate {
    private final MqttConnection connection;
    private final Channel channel;
    /** Packets (and decoder failures) that must wait; made when the first one does, dropped when empty. */
    private List<Object> pending;
    /** How many pending decisions hold the input back; reading resumes at 0. */
    private int suspensions;

    InputGate(MqttConnection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    /** Holds the next packets back until {@link #resume}; calls nest, each needs its own {@code resume}. */
    void suspend() {
        suspensions++;
        channel.config().setAutoRead(false);
    }

    boolean isSuspended() {
        return suspensions > 0;
    }

    /** Keeps a packet that must wait for an earlier one's answer. */
    void hold(Object msg) {
        if (pending == null) {
            pending = new ArrayList<>(2);
        }
        pending.add(msg);
    }

    /** Ends one suspension; at the last, handles the packets that waited, in order, then reads again. */
    void resume() {
        if (suspensions > 0) {
            suspensions--;
        }
        while (suspensions == 0 && connection.isConnected() && pending != null && !pending.isEmpty()) {
            connection.handle(pending.remove(0));
        }
        if (pending != null && pending.isEmpty()) {
            pending = null; // most connections never hold a packet back again: do not keep the list for them
        }
        if (suspensions == 0 && connection.isConnected()) {
            channel.config().setAutoRead(channel.isWritable());
        }
    }
}
