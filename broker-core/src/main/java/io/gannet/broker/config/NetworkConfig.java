package io.gannet.broker.config;

/** Network and threading settings, from the {@code network} section. See {@link ConfigSchema}. */
public record NetworkConfig(int ioThreads, String transport, int writeBufferHighWaterMark, int soBacklog,
                            int shutdownTimeoutSeconds) {
}
