package dev.slipway.features.online;

import dev.slipway.features.online.internal.RedisOnlineStore;
import dev.slipway.features.online.internal.RocksDbOnlineStore;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;

/** Opens online stores. */
public final class OnlineStores {
  private OnlineStores() {}

  /** The embedded default: a RocksDB database in {@code folder}, created when missing. */
  public static OnlineStore rocksDb(Path folder) {
    return new RocksDbOnlineStore(folder);
  }

  /**
   * A Redis store at {@code redisUri} (e.g. {@code redis://127.0.0.1:6379}) whose keys all start
   * with {@code keyPrefix + ":"}, so several projects can share one Redis.
   */
  public static OnlineStore redis(String redisUri, String keyPrefix) {
    return new RedisOnlineStore(redisUri, keyPrefix);
  }

  /**
   * As {@link #redis(String, String)}, for a server whose asynchronous reads are called on
   * {@code serverLoops} (its Netty event loops): each loop gets a Redis connection running on
   * it, so a read and its continuation stay on the caller's thread. With null loops, the same as
   * {@link #redis(String, String)}.
   */
  public static OnlineStore redis(String redisUri, String keyPrefix, EventLoopGroup serverLoops) {
    return new RedisOnlineStore(redisUri, keyPrefix, serverLoops);
  }
}
