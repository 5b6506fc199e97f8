/**
 * The report of {@code benchmarks/compare.sh}: reads the JSON that {@code gannet-bench} wrote for every run against
 * every broker, and writes a Markdown page of tables and PNG charts (drawn by XChart).
 */
package io.gannet.benchmarks.compare;
