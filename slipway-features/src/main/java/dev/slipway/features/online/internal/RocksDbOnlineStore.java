package dev.slipway.features.online.internal;

import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.OnlineStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded online store: one RocksDB database in a folder. Keys are the feature view name, a
 * NUL byte and the encoded entity key (a key prefix per view rather than a column family, so a
 * new view needs no reopen); values are {@link RowCodec} rows.
 */
public final class RocksDbOnlineStore implements OnlineStore {
  static {
    RocksDB.loadLibrary();
  }

  private final Path folder;
  private final Options options;
  private final RocksDB db;
  private final WriteOptions writeOptions;
  // Serializes read-compare-write of write(); readers need no lock (RocksDB is thread safe).
  private final Object writeLock = new Object();

  public RocksDbOnlineStore(Path folder) {
    this.folder = folder;
    try {
      Files.createDirectories(folder);
      options = new Options().setCreateIfMissing(true);
      db = RocksDB.open(options, folder.toString());
      writeOptions = new WriteOptions();
    } catch (IOException e) {
      throw new OnlineStoreException("online store folder " + folder + ": cannot create it ("
          + e + ")", e);
    } catch (RocksDBException e) {
      throw new OnlineStoreException("online store folder " + folder
          + ": cannot open it as a RocksDB database (" + e.getMessage() + "); another process,"
          + " such as 'slipway serve' on the same --data-dir, may be using it", e);
    }
  }

  @Override
  public void write(String featureView, List<OnlineRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    Map<String, OnlineRow> latest = LatestRows.newestPerEntity(rows);
    List<byte[]> keys = new ArrayList<>(latest.size());
    for (String encodedKey : latest.keySet()) {
      keys.add(storageKey(featureView, encodedKey));
    }
    synchronized (writeLock) {
      try (WriteBatch batch = new WriteBatch()) {
        List<byte[]> stored = db.multiGetAsList(keys);
        int index = 0;
        for (OnlineRow row : latest.values()) {
          byte[] current = stored.get(index);
          byte[] encoded = RowCodec.encode(featureView, row.eventTime(), row.values());
          if (current == null || Arrays.compare(current, 0, RowCodec.TIME_PREFIX_LENGTH,
              encoded, 0, RowCodec.TIME_PREFIX_LENGTH) <= 0) {
            batch.put(keys.get(index), encoded);
          }
          index++;
        }
        db.write(writeOptions, batch);
      } catch (RocksDBException e) {
        throw new OnlineStoreException("online store " + folder + ": writing " + rows.size()
            + " rows of feature view '" + featureView + "' failed", e);
      }
    }
  }

  @Override
  public List<Optional<OnlineRow>> read(String featureView, List<EntityKey> keys,
      List<String> features) {
    List<Optional<OnlineRow>> rows = new ArrayList<>(keys.size());
    if (keys.isEmpty()) {
      return rows;
    }
    List<byte[]> storageKeys = new ArrayList<>(keys.size());
    for (EntityKey key : keys) {
      storageKeys.add(storageKey(featureView, key.encoded()));
    }
    List<byte[]> stored;
    try {
      // A single get avoids multiGet's batch set-up on the common one-entity request.
      stored = keys.size() == 1 ? Collections.singletonList(db.get(storageKeys.get(0)))
          : db.multiGetAsList(storageKeys);
    } catch (RocksDBException e) {
      throw new OnlineStoreException("online store " + folder + ": reading " + keys.size()
          + " keys of feature view '" + featureView + "' failed", e);
    }
    for (int i = 0; i < keys.size(); i++) {
      byte[] value = stored.get(i);
      if (value == null) {
        rows.add(Optional.empty());
      } else {
        RowCodec.Decoded decoded = RowCodec.decode(value, features);
        rows.add(Optional.of(new OnlineRow(keys.get(i), decoded.eventTime(), decoded.values())));
      }
    }
    return rows;
  }

  private static byte[] storageKey(String featureView, String encodedKey) {
    return (featureView + '\0' + encodedKey).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    writeOptions.close();
    db.close();
    options.close();
  }
}
