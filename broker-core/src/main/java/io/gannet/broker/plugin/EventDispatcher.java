package io.gannet.broker.plugin;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.events.BrokerEvents;
import io.gannet.spi.events.BrokerEventListener;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises broker events for the plugins that listen. Events are handed to the plugins' executor, so a listener never
 * runs on (or slows) a network event loop. With no listener, raising an event builds nothing.
 */
public final class EventDispatcher implements BrokerEvents {
    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

    /** The most events waiting for listeners; beyond it events are shed and counted. */
    static final int MAX_PENDING = 100_000;

    private final List<BrokerEventListener> listeners;
    private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder lost = new java.util.concurrent.atomic.LongAdder();
    private final Executor executor;

    public EventDispatcher(List<BrokerEventListener> listeners, Executor executor) {
        this.listeners = List.copyOf(listeners);
        this.executor = executor;
    }

    @Override
    public boolean active() {
        return !listeners.isEmpty();
    }

    @Override
    public void clientConnected(ConnectAttempt client, boolean sessionPresent) {
        if (active()) {
            var e = new BrokerEventListener.ClientConnected(Hooks.clientInfo(client), sessionPresent);
            dispatch(l -> l.clientConnected(e));
        }
    }

    @Override
    public void clientDisconnected(ConnectAttempt client, String reason, boolean graceful) {
        if (active()) {
            var e = new BrokerEventListener.ClientDisconnected(Hooks.clientInfo(client), reason, graceful);
            dispatch(l -> l.clientDisconnected(e));
        }
    }

    @Override
    public void subscribed(ConnectAttempt client, String filter, int grantedQos) {
        if (active()) {
            var e = new BrokerEventListener.Subscribed(Hooks.clientInfo(client), filter, grantedQos);
            dispatch(l -> l.subscribed(e));
        }
    }

    @Override
    public void unsubscribed(ConnectAttempt client, String filter) {
        if (active()) {
            var e = new BrokerEventListener.Unsubscribed(Hooks.clientInfo(client), filter);
            dispatch(l -> l.unsubscribed(e));
        }
    }

    @Override
    public void sessionCreated(String clientId, long expirySeconds) {
        if (active()) {
            var e = new BrokerEventListener.SessionCreated(clientId, expirySeconds);
            dispatch(l -> l.sessionCreated(e));
        }
    }

    @Override
    public void messageDropped(String clientId, String topic, int qos, String reason) {
        if (active()) {
            var e = new BrokerEventListener.MessageDropped(clientId, topic, qos, reason);
            dispatch(l -> l.messageDropped(e));
        }
    }

    /** Events not delivered because listeners fell more than {@value #MAX_PENDING} events behind. */
    public long lost() {
        return lost.sum();
    }

    @Override
    public void sessionEnded(String clientId) {
        if (active()) {
            var e = new BrokerEventListener.SessionEnded(clientId);
            dispatch(l -> l.sessionEnded(e));
        }
    }

    private void dispatch(Consumer<BrokerEventListener> call) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            pending.decrementAndGet();
            lost.increment();
            return; // listeners cannot keep up: shed events rather than grow without bound
        }
        try {
            executor.execute(() -> {
                pending.decrementAndGet();
                for (BrokerEventListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException | LinkageError e) {
                        log.warn("An event listener ({}) failed: {}", l.getClass().getName(), e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            pending.decrementAndGet();
            log.debug("Event dropped at shutdown");
        }
    }
}
