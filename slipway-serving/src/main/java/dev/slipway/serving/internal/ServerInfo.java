package dev.slipway.serving.internal;

/** What {@code GET /v2} and gRPC ServerMetadata report. */
public record ServerInfo(String name, String version) {
  public static ServerInfo current() {
    String version = ServerInfo.class.getPackage().getImplementationVersion();
    return new ServerInfo("slipway", version == null ? "dev" : version);
  }
}
