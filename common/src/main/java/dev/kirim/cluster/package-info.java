/**
 * What kirim servers and clients share over a Vert.x cluster (or within one Vert.x when standalone): the
 * server registry, the {@code kirim.received} events and the {@code kirim.push} service. Schemas:
 * docs/CLUSTER.md.
 */
package dev.kirim.cluster;
