/**
 * The Gannet plugin SPI: the only API a plugin compiles against.
 *
 * <p>This package depends on nothing but the JDK. It never mentions Netty or a broker-internal type, so a plugin
 * built against SPI 1.x keeps working with every broker 1.x. Each public type carries a stability marker
 * ({@link io.gannet.spi.Stable}, {@link io.gannet.spi.Evolving}) and interfaces that only the broker implements are
 * marked {@link io.gannet.spi.DoNotImplement}.
 */
package io.gannet.spi;
