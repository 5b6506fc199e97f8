/**
 * Broker events for plugins: connections, subscriptions, sessions.
 */
package io.gannet.spi.events;
