package dev.slipway.features.online.internal;

import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Redis online store. One string per feature view and entity, key
 * {@code <prefix>:<view>:<entityKey>}, holding a {@link RowCodec} row: one serialized value
 * rather than a hash, so that a read of any number of entities is a single MGET round trip.
 *
 * <p>A write is one Lua script call, which Redis runs atomically: per key it compares the
 * fixed-width event-time prefix of the stored and the new value and replaces only when the new
 * one is not older.
 */
public final class RedisOnlineStore implements OnlineStore {
  // The event-time prefix is compared as numbers in 24-bit chunks rather than as strings: Redis
  // sets LC_COLLATE from its environment, and Lua compares strings with strcoll.
  private static final String WRITE_NOT_OLDER = ""
      + "local function older(a, b)\n"
      + "  for i = 1, 24, 6 do\n"
      + "    local x = tonumber(string.sub(a, i, i + 5), 16)\n"
      + "    local y = tonumber(string.sub(b, i, i + 5), 16)\n"
      + "    if x ~= y then return x < y end\n"
      + "  end\n"
      + "  return false\n"
      + "end\n"
      + "local written = 0\n"
      + "for i, key in ipairs(KEYS) do\n"
      + "  local current = redis.call('GET', key)\n"
      + "  if (not current) or not older(ARGV[i], current) then\n"
      + "    redis.call('SET', key, ARGV[i])\n"
      + "    written = written + 1\n"
      + "  end\n"
      + "end\n"
      + "return written\n";

  private final String keyPrefix;
  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisCommands<String, byte[]> commands;
  private final RedisAsyncCommands<String, byte[]> asyncCommands;
  private final String writeScriptSha;

  public RedisOnlineStore(String redisUri, String keyPrefix) {
    if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.contains(":")) {
      throw new IllegalArgumentException("Redis key prefix '" + keyPrefix
          + "' (expected a non-empty name without ':')");
    }
    this.keyPrefix = keyPrefix;
    this.client = RedisClient.create(redisUri);
    try {
      this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    } catch (RuntimeException e) {
      client.shutdown();
      throw new IllegalStateException("Redis at " + redisUri + ": cannot connect", e);
    }
    this.commands = connection.sync();
    this.asyncCommands = connection.async();
    this.writeScriptSha = commands.scriptLoad(WRITE_NOT_OLDER);
  }

  @Override
  public void write(String featureView, List<OnlineRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    Map<String, OnlineRow> latest = LatestRows.newestPerEntity(rows);
    String[] keys = new String[latest.size()];
    byte[][] values = new byte[latest.size()][];
    int index = 0;
    for (Map.Entry<String, OnlineRow> entry : latest.entrySet()) {
      keys[index] = redisKey(featureView, entry.getKey());
      values[index] = RowCodec.encode(featureView, entry.getValue().eventTime(),
          entry.getValue().values());
      index++;
    }
    try {
      commands.evalsha(writeScriptSha, ScriptOutputType.INTEGER, keys, values);
    } catch (RedisNoScriptException e) {
      // The server lost its script cache (restart, SCRIPT FLUSH): send the script itself.
      commands.eval(WRITE_NOT_OLDER.getBytes(StandardCharsets.UTF_8), ScriptOutputType.INTEGER,
          keys, values);
    }
  }

  @Override
  public List<Optional<OnlineRow>> read(String featureView, List<EntityKey> keys,
      List<String> features) {
    if (keys.isEmpty()) {
      return new ArrayList<>();
    }
    return decode(keys, features, commands.mget(redisKeys(featureView, keys)));
  }

  @Override
  public CompletableFuture<List<Optional<OnlineRow>>> readAsync(String featureView,
      List<EntityKey> keys, List<String> features) {
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(new ArrayList<>());
    }
    return asyncCommands.mget(redisKeys(featureView, keys)).toCompletableFuture()
        .thenApply(stored -> decode(keys, features, stored));
  }

  private String[] redisKeys(String featureView, List<EntityKey> keys) {
    String[] redisKeys = new String[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      redisKeys[i] = redisKey(featureView, keys.get(i).encoded());
    }
    return redisKeys;
  }

  private static List<Optional<OnlineRow>> decode(List<EntityKey> keys, List<String> features,
      List<KeyValue<String, byte[]>> stored) {
    List<Optional<OnlineRow>> rows = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      KeyValue<String, byte[]> value = stored.get(i);
      if (value.hasValue()) {
        RowCodec.Decoded decoded = RowCodec.decode(value.getValue(), features);
        rows.add(Optional.of(new OnlineRow(keys.get(i), decoded.eventTime(), decoded.values())));
      } else {
        rows.add(Optional.empty());
      }
    }
    return rows;
  }

  /** The Redis key of one entity of one view; public so tools and tests can find the data. */
  public String redisKey(String featureView, String encodedEntityKey) {
    return keyPrefix + ':' + featureView + ':' + encodedEntityKey;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
