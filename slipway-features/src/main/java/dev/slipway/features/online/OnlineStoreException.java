package dev.slipway.features.online;

import dev.slipway.core.SlipwayException;

/** An online store (RocksDB, Redis) that cannot be opened, read or written. */
public class OnlineStoreException extends SlipwayException {
  public OnlineStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
