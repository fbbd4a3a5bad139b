package dev.slipway.registry.tracking.internal;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Readable names for runs created without one, in MLflow's {@code adjective-noun-number} style
 * ("brave-owl-417"), so that UIs listing runs by name stay usable.
 */
public final class RunNames {
  private static final List<String> ADJECTIVES = List.of("able", "bold", "brave", "bright",
      "calm", "clever", "crisp", "daring", "eager", "fair", "gentle", "glad", "grand", "keen",
      "kind", "lively", "lucky", "merry", "neat", "nimble", "noble", "proud", "quick", "quiet",
      "rare", "sharp", "shy", "smart", "steady", "sunny", "swift", "tidy", "vivid", "warm",
      "wise", "witty");
  private static final List<String> NOUNS = List.of("ant", "bass", "bear", "bee", "cat",
      "crane", "deer", "dove", "eel", "elk", "finch", "fox", "frog", "gull", "hare", "hawk",
      "heron", "ibis", "jay", "koi", "lark", "lynx", "mole", "moth", "newt", "owl", "otter",
      "panda", "quail", "ram", "robin", "seal", "shrew", "snail", "stork", "swan", "toad",
      "trout", "wasp", "wolf", "wren", "yak", "zebra");

  private RunNames() {}

  public static String random() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + "-"
        + NOUNS.get(random.nextInt(NOUNS.size())) + "-" + random.nextInt(1000);
  }
}
