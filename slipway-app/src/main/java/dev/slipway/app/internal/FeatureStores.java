package dev.slipway.app.internal;

import dev.slipway.core.SlipwayException;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.OnlineStores;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;

/** Opens the online store a command line names. */
public final class FeatureStores {
  /** Redis keys start with this, so several tools can share one Redis. */
  public static final String REDIS_KEY_PREFIX = "slipway";

  private FeatureStores() {}

  /**
   * {@code rocksdb} (embedded, under {@code dataDir/online}), {@code rocksdb:DIR}, or
   * {@code redis://host:port}.
   */
  public static OnlineStore online(String spec, Path dataDir) {
    return online(spec, dataDir, null);
  }

  /**
   * As {@link #online(String, Path)}, for a server whose reads run on {@code serverLoops}: a
   * Redis store then reads through a connection per loop (see {@link OnlineStores#redis(String,
   * String, EventLoopGroup)}).
   */
  public static OnlineStore online(String spec, Path dataDir, EventLoopGroup serverLoops) {
    if (spec.equals("rocksdb")) {
      return OnlineStores.rocksDb(dataDir.resolve("online"));
    }
    if (spec.startsWith("rocksdb:")) {
      return OnlineStores.rocksDb(Path.of(spec.substring("rocksdb:".length())));
    }
    if (spec.startsWith("redis://") || spec.startsWith("rediss://")) {
      return OnlineStores.redis(spec, REDIS_KEY_PREFIX, serverLoops);
    }
    throw new SlipwayException("--online-store " + spec
        + ": expected rocksdb, rocksdb:DIR or redis://host:port");
  }
}
