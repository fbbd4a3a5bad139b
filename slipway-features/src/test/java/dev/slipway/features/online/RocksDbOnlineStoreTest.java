package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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

  @Test
  void open_folderHeldByAnotherStore_saysWhoMayHoldIt() {
    // The contract's store, opened before each test, holds the folder.
    assertThatThrownBy(this::openStore)
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith("online store folder " + folder.resolve("online")
            + ": cannot open it as a RocksDB database (")
        .hasMessageContaining("'slipway serve' on the same --data-dir");
  }
}
