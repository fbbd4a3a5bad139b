package dev.slipway.features.online;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class RocksDbOnlineStoreTest extends OnlineStoreContract {
  @TempDir
  Path folder;

  @Override
  protected OnlineStore openStore() {
    return OnlineStores.rocksDb(folder.resolve("online"));
  }

  @Override
  protected OnlineStore reopenStore() {
    return OnlineStores.rocksDb(folder.resolve("online"));
  }
}
