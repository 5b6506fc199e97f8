package io.gannet.broker.plugin;

import io.gannet.broker.codec.MqttVersion;
import io.gannet.spi.ProtocolVersion;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** What calling any plugin hook takes: containing its failures, and the SPI's view of broker values. */
final class Hooks {
    private Hooks() {
    }

    /**
     * Calls a hook and returns the broker's own future of its answer: a hook that throws gives a failed future,
     * and a timeout applied to the result never completes the plugin's future.
     */
    static <T> CompletableFuture<T> call(Supplier<CompletionStage<T>> hook) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        try {
            hook.get().whenComplete((r, e) -> {
                if (e != null) {
                    answer.completeExceptionally(e);
                } else {
                    answer.complete(r);
                }
            });
        } catch (RuntimeException | LinkageError e) {
            answer.completeExceptionally(e);
        }
        return answer;
    }

    static io.gannet.spi.ClientInfo clientInfo(io.gannet.broker.auth.ConnectAttempt a) {
        return new io.gannet.spi.ClientInfo(a.clientId(), java.util.Optional.ofNullable(a.username()),
                a.listenerName(), a.remoteAddress() instanceof java.net.InetSocketAddress i ? i : null,
                protocolVersion(a.version()));
    }

    /** {@code null} for a client no longer known after a restart (a will from a recovered session). */
    static ProtocolVersion protocolVersion(MqttVersion version) {
        if (version == null) {
            return null;
        }
        return switch (version) {
            case V3_1 -> ProtocolVersion.MQTT_3_1;
            case V3_1_1 -> ProtocolVersion.MQTT_3_1_1;
            case V5 -> ProtocolVersion.MQTT_5;
        };
    }
}
