/**
 * TLS for listeners: plugins provide certificates and policy in JDK types; the broker runs the TLS engine.
 */
package io.gannet.spi.tls;
