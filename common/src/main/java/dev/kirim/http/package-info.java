/** The settings of the optional HTTP port (metrics, health) that the server and a service client share. */
package dev.kirim.http;
