/**
 * What the broker does for plugins: publish messages, find and disconnect clients, read and write retained messages.
 */
package io.gannet.spi.services;
