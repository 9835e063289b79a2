package dev.kirim.cluster;

import dev.kirim.config.ConfigException;
import dev.kirim.testkit.TestCerts;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code cluster.tls}: how it is read and checked, with the one-line errors a jar exits with, and what it sets on
 * the event bus. The event bus with it, between real members: ClusterTlsTest in integration-tests.
 */
class ClusterTlsTest {

  @TempDir
  static Path dir;
  private static TestCerts certs;
  private static TestCerts.Pair member;

  @BeforeAll
  static void makeCertificates() {
    assumeTrue(TestCerts.opensslAvailable(), "openssl is not installed");
    certs = TestCerts.create(dir);
    member = certs.issue("member", "kirim member", 30);
  }

  private static JsonObject config(String cert, String key, String ca) {
    JsonObject tls = new JsonObject().put("cert", cert).put("key", key).put("ca", ca);
    return new JsonObject().put("port", 1).put("cluster", new JsonObject().put("tls", tls));
  }

  private static JsonObject valid() {
    return config(member.cert().toString(), member.key().toString(), certs.ca().cert().toString());
  }

  @Test
  void theFilesAreReadFromTheClusterTlsKey() {
    TlsConfig.Member tls = ClusterTls.parse(valid());
    assertEquals(new TlsConfig.Member(member.cert(), member.key(), certs.ca().cert()), tls);
    assertNull(ClusterTls.parse(new JsonObject().put("port", 1)));
    assertNull(ClusterTls.parse(new JsonObject().put("cluster", new JsonObject().put("secret", "s"))));
    assertNull(ClusterTls.parse(null));
  }

  @Test
  void theEventBusGetsMutualTlsWithTheMembersCertificateAndTheClusterCa() {
    VertxOptions options = new VertxOptions();
    assertTrue(ClusterTls.apply(valid(), options));
    EventBusOptions eventBus = options.getEventBusOptions();
    assertTrue(eventBus.isSsl());
    assertEquals(ClientAuth.REQUIRED, eventBus.getClientAuth());
    assertFalse(eventBus.isTrustAll(), "a member must not trust any certificate");
    assertEquals(Set.of("TLSv1.2", "TLSv1.3"), eventBus.getEnabledSecureTransportProtocols());
    assertEquals(1, ((PemKeyCertOptions) eventBus.getKeyCertOptions()).getCertValues().size());
    assertEquals(1, ((PemTrustOptions) eventBus.getTrustOptions()).getCertValues().size());
    // What Vert.x hands its event-bus client and server: the options go through JSON.
    assertTrue(new EventBusOptions(eventBus.toJson()).isSsl());
    VertxOptions untouched = new VertxOptions();
    assertFalse(ClusterTls.apply(new JsonObject(), untouched));
    assertFalse(untouched.getEventBusOptions().isSsl());
  }

  /** Options from -options JSON leave the reconnect interval at 0, which Vert.x refuses with TLS on (exit 11). */
  @Test
  void optionsFromJsonGetAReconnectIntervalVertxAccepts() {
    VertxOptions options = new VertxOptions(new JsonObject().put("eventBusOptions", new JsonObject().put("port", 0)));
    assertEquals(0, options.getEventBusOptions().getReconnectInterval());
    ClusterTls.apply(valid(), options);
    assertTrue(options.getEventBusOptions().getReconnectInterval() >= 1);
    VertxOptions own = new VertxOptions();
    own.getEventBusOptions().setReconnectInterval(250);
    ClusterTls.apply(valid(), own);
    assertEquals(250, own.getEventBusOptions().getReconnectInterval());
  }

  @Test
  void aBadKeyOrFileIsOneLineNamingIt() {
    String cert = member.cert().toString();
    String key = member.key().toString();
    String ca = certs.ca().cert().toString();
    assertError("config key 'cluster.tls.cert': file " + dir.resolve("nowhere.pem") + " does not exist",
      config(dir.resolve("nowhere.pem").toString(), key, ca));
    assertError("config key 'cluster.tls.ca' is not set, expected the path of a PEM file", config(cert, key, null));
    assertError("config key 'cluster.tls.ca': " + member.key() + " is not a PEM certificate "
      + "(-----BEGIN CERTIFICATE-----)", config(cert, key, key));
    assertError("config key 'cluster.tls.key': " + certs.ca().key() + " is not the private key of the certificate "
      + "in 'cluster.tls.cert' (" + member.cert() + "): give the key the certificate was issued for",
      config(cert, certs.ca().key().toString(), ca));
    assertError("unknown config key 'cluster.tls.clientCa' (known keys: ca, cert, key)",
      valid().put("cluster", new JsonObject().put("tls", new JsonObject().put("clientCa", ca))));
    assertError("config key 'cluster.tls' is true, expected {\"cert\": \"member.pem\", \"key\": \"member.key\", "
      + "\"ca\": \"cluster-ca.pem\"}", new JsonObject().put("cluster", new JsonObject().put("tls", true)));
    assertError("config key 'cluster' is \"tls\", expected a JSON object", new JsonObject().put("cluster", "tls"));
  }

  private static void assertError(String expected, JsonObject config) {
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterTls.parse(config), config.encode());
    assertEquals(expected, e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }
}
