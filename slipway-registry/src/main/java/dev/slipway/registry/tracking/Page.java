package dev.slipway.registry.tracking;

import java.util.List;

/**
 * One page of search results.
 *
 * @param nextPageToken pass it back to get the next page; null on the last page
 */
public record Page<T>(List<T> items, String nextPageToken) {
  public Page {
    items = List.copyOf(items);
  }
}
