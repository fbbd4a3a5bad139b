package dev.slipway.features.online.internal;

import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis online store. One string per feature view and entity, key
 * {@code <prefix>:<view>:<entityKey>}, holding a {@link RowCodec} row: one serialized value
 * rather than a hash, so that a read of any number of entities is a single MGET round trip.
 *
 * <p>A write is one Lua script call, which Redis runs atomically: per key it compares the
 * fixed-width event-time prefix of the stored and the new value and replaces only when the new
 * one is not older.
 *
 * <p>Given a server's event loops ({@code readLoops}), the store opens one more connection per
 * loop whose I/O runs on that very loop: an asynchronous read called there writes its command,
 * decodes the reply and runs the caller's continuation on the same thread, without the two
 * hand-offs to Lettuce's own threads and back that a shared connection costs per read; and the
 * reads of all the requests a loop handles in one turn go to Redis in one write. Writes and reads
 * from any other thread use the shared connection.
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

  private static final Logger LOG = LoggerFactory.getLogger(RedisOnlineStore.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String keyPrefix;
  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisCommands<String, byte[]> commands;
  private final RedisAsyncCommands<String, byte[]> asyncCommands;
  private final String writeScriptSha;
  private final ClientResources resources;
  private final List<LoopConnection> loopConnections = new ArrayList<>();
  /**
   * The pinned clients' resources: copies of {@link #resources} that share its thread pools and
   * timer (so shutting any of them down stops those); shut down last, after every client.
   */
  private final List<ClientResources> loopResources = new ArrayList<>();

  /**
   * A connection pinned to {@code loop} and used only there. Its commands are not flushed one by
   * one: the first read of a turn of the loop schedules one flush, which the loop runs after the
   * requests it is handling, so all their reads reach Redis in one write (and their replies come
   * back in as few reads).
   */
  private static final class LoopConnection {
    private final EventLoop loop;
    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> commands;
    private final Runnable flush;
    /** Touched on {@code loop} only. */
    private boolean flushScheduled;

    LoopConnection(EventLoop loop, RedisClient client,
        StatefulRedisConnection<String, byte[]> connection) {
      this.loop = loop;
      this.client = client;
      this.connection = connection;
      this.commands = connection.async();
      connection.setAutoFlushCommands(false);
      this.flush = () -> {
        flushScheduled = false;
        connection.flushCommands();
      };
    }

    RedisFuture<List<KeyValue<String, byte[]>>> mget(String[] keys) {
      RedisFuture<List<KeyValue<String, byte[]>>> reply = commands.mget(keys);
      if (!flushScheduled) {
        flushScheduled = true;
        loop.execute(flush);
      }
      return reply;
    }

    void close() {
      connection.close();
      client.shutdown();
    }
  }

  public RedisOnlineStore(String redisUri, String keyPrefix) {
    this(redisUri, keyPrefix, null);
  }

  /**
   * @param readLoops the event loops that will call {@link #readAsync} (a server's), or null; if
   *     Lettuce's transport cannot run on them (say NIO against epoll loops), the store logs why
   *     and reads through the shared connection
   */
  public RedisOnlineStore(String redisUri, String keyPrefix, EventLoopGroup readLoops) {
    if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.contains(":")) {
      throw new IllegalArgumentException("Redis key prefix '" + keyPrefix
          + "' (expected a non-empty name without ':')");
    }
    this.keyPrefix = keyPrefix;
    this.resources = DefaultClientResources.create();
    this.client = RedisClient.create(resources, redisUri);
    try {
      this.connection = client.connect(CODEC);
    } catch (RuntimeException e) {
      client.shutdown();
      resources.shutdown();
      throw new IllegalStateException("Redis at " + redisUri + ": cannot connect", e);
    }
    this.commands = connection.sync();
    this.asyncCommands = connection.async();
    this.writeScriptSha = commands.scriptLoad(WRITE_NOT_OLDER);
    if (readLoops != null) {
      connectOnLoops(redisUri, readLoops);
    }
  }

  private void connectOnLoops(String redisUri, EventLoopGroup readLoops) {
    for (EventExecutor executor : readLoops) {
      EventLoop loop = (EventLoop) executor;
      // Shares the thread pools, timer and event bus of the shared client; only the event loop
      // differs.
      ClientResources onLoop =
          resources.mutate().eventLoopGroupProvider(new OneLoop(loop)).build();
      loopResources.add(onLoop);
      RedisClient pinned = RedisClient.create(onLoop, redisUri);
      try {
        StatefulRedisConnection<String, byte[]> pinnedConnection = pinned.connect(CODEC);
        loopConnections.add(new LoopConnection(loop, pinned, pinnedConnection));
      } catch (RuntimeException e) {
        pinned.shutdown();
        LOG.warn("Redis at {}: no connection on the server's event loops ({}); reads go"
            + " through the shared connection", redisUri, e.toString());
        closeLoopConnections();
        return;
      }
    }
    LOG.info("Redis at {}: reads on a connection of each of the {} server event loops",
        redisUri, loopConnections.size());
  }

  /** Hands Lettuce one given event loop, and never shuts it down (its owner does). */
  private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {
    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) loop;
    }

    @Override
    public int threadPoolSize() {
      return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout,
        TimeUnit unit) {
      return loop.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return loop.newSucceededFuture(true);
    }
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
    String[] redisKeys = redisKeys(featureView, keys);
    LoopConnection pinned = callersLoopConnection();
    RedisFuture<List<KeyValue<String, byte[]>>> reply = pinned == null
        ? asyncCommands.mget(redisKeys) : pinned.mget(redisKeys);
    return reply.toCompletableFuture()
        .thenApply(stored -> decode(keys, features, stored));
  }

  private LoopConnection callersLoopConnection() {
    for (LoopConnection pinned : loopConnections) {
      if (pinned.loop.inEventLoop()) {
        return pinned;
      }
    }
    return null;
  }

  /** How many reads can run on their caller's event loop: one connection per loop, or 0. */
  public int loopConnections() {
    return loopConnections.size();
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
    closeLoopConnections();
    connection.close();
    client.shutdown();
    resources.shutdown();
    loopResources.forEach(ClientResources::shutdown);
  }

  private void closeLoopConnections() {
    for (LoopConnection pinned : loopConnections) {
      pinned.close();
    }
    loopConnections.clear();
  }
}
