package dev.kirim.launch;

import picocli.CommandLine.Option;

/**
 * The options of the Vert.x launcher ({@code VertxApplication}), with the names and arities it declares, so that
 * a kirim command line recognises them (their values are not taken for kirim arguments) and hands them on to
 * the launcher unchanged. Only the help text is ours.
 */
final class LauncherOptions {

  @Option(names = {"-conf", "--conf"}, paramLabel = "FILE|JSON",
    description = "The configuration: a JSON file, or inline JSON. Flags override its keys.")
  String conf;

  @Option(names = {"-instances", "--instances"}, paramLabel = "N",
    description = "Verticle instances to deploy, at least 1 (a server's instances share its port).")
  Integer instances;

  @Option(names = {"-c", "-cluster", "--cluster"}, arity = "0",
    description = "Join a Vert.x (Hazelcast) cluster, see the README's \"Running on many hosts\".")
  Boolean cluster;

  @Option(names = {"-cluster-host", "--cluster-host"}, paramLabel = "HOST",
    description = "Host to bind for cluster communication.")
  String clusterHost;

  @Option(names = {"-cluster-port", "--cluster-port"}, paramLabel = "PORT",
    description = "Port for cluster communication (default: a random free one).")
  Integer clusterPort;

  @Option(names = {"-cluster-public-host", "--cluster-public-host"}, paramLabel = "HOST",
    description = "Public host for cluster communication (default: the cluster host).")
  String clusterPublicHost;

  @Option(names = {"-cluster-public-port", "--cluster-public-port"}, paramLabel = "PORT",
    description = "Public port for cluster communication (default: the cluster port).")
  Integer clusterPublicPort;

  @Option(names = {"-options", "--options", "-vertx-options", "--vertx-options"}, paramLabel = "FILE|JSON",
    description = "Vert.x options (VertxOptions as JSON): a file, or inline JSON.")
  String vertxOptions;

  @Option(names = {"-deployment-options", "--deployment-options"}, paramLabel = "FILE|JSON",
    description = "Deployment options of the verticle (DeploymentOptions as JSON).")
  String deploymentOptions;

  @Option(names = {"-w", "-worker", "--worker"}, arity = "0",
    description = "Deploy the verticle on a worker thread.")
  Boolean worker;

  @Option(names = {"-vt", "-virtual-thread", "--virtual-thread"}, arity = "0",
    description = "Deploy the verticle on a virtual thread.")
  Boolean virtualThread;
}
