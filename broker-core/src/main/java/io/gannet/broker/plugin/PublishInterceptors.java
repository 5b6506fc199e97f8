package io.gannet.broker.plugin;

import io.gannet.broker.auth.ConnectAttempt;
import io.gannet.broker.codec.ReasonCode;
import io.gannet.broker.message.Message;
import io.gannet.broker.publish.InboundInterceptor;
import io.gannet.broker.session.OutboundInterceptor;
import io.gannet.spi.ClientInfo;
import io.gannet.spi.publish.InboundDecision;
import io.gannet.spi.publish.InboundPublishInterceptor;
import io.gannet.spi.publish.OutboundDecision;
import io.gannet.spi.publish.OutboundPublishInterceptor;
import io.gannet.spi.publish.PublishMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the plugins' publish interceptors in priority order: the inbound chain once per published message, the
 * outbound chain once per delivery. A hook that throws, fails or does not answer within the hook timeout is
 * handled as {@code plugins.interceptor-failure} says. With no interceptors, nothing here runs.
 */
public final class PublishInterceptors implements InboundInterceptor, OutboundInterceptor {
    private static final Logger log = LoggerFactory.getLogger(PublishInterceptors.class);

    private final List<InboundPublishInterceptor> inbound;
    private final List<OutboundPublishInterceptor> outbound;
    private final long timeoutMillis;
    private final boolean proceedOnFailure;
    private final Clock clock;

    public PublishInterceptors(List<InboundPublishInterceptor> inbound, List<OutboundPublishInterceptor> outbound,
                               long timeoutMillis, boolean proceedOnFailure, Clock clock) {
        this.inbound = List.copyOf(inbound);
        this.outbound = List.copyOf(outbound);
        this.timeoutMillis = timeoutMillis;
        this.proceedOnFailure = proceedOnFailure;
        this.clock = clock;
    }

    @Override
    public boolean hasInbound() {
        return !inbound.isEmpty();
    }

    @Override
    public boolean hasOutbound() {
        return !outbound.isEmpty();
    }

    // ---- inbound ----------------------------------------------------------------------------------------------

    /** Runs the inbound chain on a message {@code publisher} published. */
    @Override
    public CompletableFuture<InboundOutcome> inbound(ConnectAttempt publisher, Message message) {
        ClientInfo client = Hooks.clientInfo(publisher);
        PublishMessage spi = SpiMessages.toSpi(message, message.qos(), message.retain(), clock.millis());
        return inboundStep(0, client, message, spi, null);
    }

    private CompletableFuture<InboundOutcome> inboundStep(int index, ClientInfo client, Message message,
                                                          PublishMessage spi, List<CompletableFuture<?>> gates) {
        if (index == inbound.size()) {
            return CompletableFuture.completedFuture(new InboundOutcome(message, ReasonCode.SUCCESS, null, false,
                    gate(gates)));
        }
        CompletableFuture<InboundDecision> answer = Hooks.call(
                () -> inbound.get(index).onInboundPublish(client, spi));
        if (answer.isDone() && !answer.isCompletedExceptionally() && answer.join() != null) {
            return applyInbound(index, client, message, spi, gates, answer.join()); // synchronous: no timer
        }
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((decision, error) -> {
            if (error != null || decision == null) {
                log.warn("Inbound publish interceptor {} failed on a message of client {} to {} ({}); {}",
                        inbound.get(index).getClass().getName(), client.clientId(), spi.topic(),
                        error == null ? "no decision" : error.toString(),
                        proceedOnFailure ? "the message proceeds" : "dropping it");
                if (proceedOnFailure) {
                    return inboundStep(index + 1, client, message, spi, gates);
                }
                return CompletableFuture.completedFuture(new InboundOutcome(null, ReasonCode.UNSPECIFIED_ERROR,
                        "the message could not be processed", true, gate(gates)));
            }
            return applyInbound(index, client, message, spi, gates, decision);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<InboundOutcome> applyInbound(int index, ClientInfo client, Message message,
                                                           PublishMessage spi, List<CompletableFuture<?>> gates,
                                                           InboundDecision decision) {
        List<CompletableFuture<?>> allGates = gates;
        if (decision.acknowledgeWhen().isPresent()) {
            allGates = gates == null ? new ArrayList<>(2) : gates;
            var safe = decision.acknowledgeWhen().get();
            allGates.add(Hooks.call(() -> safe));
        }
        if (decision.isDrop()) {
            return CompletableFuture.completedFuture(new InboundOutcome(null, decision.ackReason().code(),
                    decision.reasonString().orElse(null), false, gate(allGates)));
        }
        if (decision.replacement().isPresent()) {
            PublishMessage replacement = decision.replacement().get();
            Message changed = SpiMessages.fromSpi(replacement, message.publisherId(), clock.millis());
            return inboundStep(index + 1, client, changed, replacement, allGates);
        }
        return inboundStep(index + 1, client, message, spi, allGates);
    }

    private static CompletableFuture<Void> gate(List<CompletableFuture<?>> gates) {
        if (gates == null || gates.isEmpty()) {
            return null;
        }
        return gates.size() == 1 ? gates.get(0).thenApply(x -> null)
                : CompletableFuture.allOf(gates.toArray(CompletableFuture[]::new));
    }

    // ---- outbound ---------------------------------------------------------------------------------------------

    /**
     * Runs the outbound chain on one delivery to {@code subscriber}.
     *
     * @return the message to send (the same instance when unchanged, with {@code qos} and {@code retain} then
     *         unchanged too), or {@code null} to send nothing
     */
    @Override
    public CompletableFuture<Message> outbound(ConnectAttempt subscriber, Message message, int qos, boolean retain) {
        ClientInfo client = Hooks.clientInfo(subscriber);
        PublishMessage spi = SpiMessages.toSpi(message, qos, retain, clock.millis());
        return outboundStep(0, client, message, spi, qos);
    }

    private CompletableFuture<Message> outboundStep(int index, ClientInfo client, Message message,
                                                    PublishMessage spi, int deliveryQos) {
        if (index == outbound.size()) {
            return CompletableFuture.completedFuture(message);
        }
        CompletableFuture<OutboundDecision> answer = Hooks.call(
                () -> outbound.get(index).onOutboundPublish(client, spi));
        if (answer.isDone() && !answer.isCompletedExceptionally() && answer.join() != null) {
            return applyOutbound(index, client, message, spi, deliveryQos, answer.join());
        }
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((decision, error) -> {
            if (error != null || decision == null) {
                log.warn("Outbound publish interceptor {} failed on a message to client {} on {} ({}); {}",
                        outbound.get(index).getClass().getName(), client.clientId(), spi.topic(),
                        error == null ? "no decision" : error.toString(),
                        proceedOnFailure ? "sending it as it is" : "not sending it");
                return proceedOnFailure ? outboundStep(index + 1, client, message, spi, deliveryQos)
                        : CompletableFuture.<Message>completedFuture(null);
            }
            return applyOutbound(index, client, message, spi, deliveryQos, decision);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Message> applyOutbound(int index, ClientInfo client, Message message,
                                                     PublishMessage spi, int deliveryQos, OutboundDecision decision) {
        if (decision.isDrop()) {
            return CompletableFuture.completedFuture(null);
        }
        if (decision.replacement().isPresent()) {
            PublishMessage r = decision.replacement().get();
            if (r.qos() > deliveryQos) {
                r = r.toBuilder().qos(deliveryQos).build();
            }
            return outboundStep(index + 1, client, SpiMessages.fromSpi(r, message.publisherId(), clock.millis()), r,
                    deliveryQos);
        }
        return outboundStep(index + 1, client, message, spi, deliveryQos);
    }
}
