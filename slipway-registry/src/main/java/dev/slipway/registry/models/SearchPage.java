package dev.slipway.registry.models;

import java.util.List;

/**
 * One page of search results.
 *
 * @param nextPageToken opaque token for the next page, or null on the last page
 */
public record SearchPage<T>(List<T> items, String nextPageToken) {
  public SearchPage {
    items = List.copyOf(items);
  }
}
