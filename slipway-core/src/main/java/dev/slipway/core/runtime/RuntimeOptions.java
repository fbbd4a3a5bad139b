package dev.slipway.core.runtime;

/**
 * Threading for one loaded model.
 *
 * @param intraOpThreads threads one runtime call may use (ONNX Runtime intra-op, XGBoost nthread)
 * @param interOpThreads threads for running independent graph nodes in parallel (ONNX Runtime)
 */
public record RuntimeOptions(int intraOpThreads, int interOpThreads) {
  /**
   * One thread each: serving runs many calls side by side, and on small models a runtime's own
   * thread pool costs more in hand-offs than it gains.
   */
  public static final RuntimeOptions DEFAULT = new RuntimeOptions(1, 1);

  public RuntimeOptions {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads: " + intraOpThreads + " (expected: >= 1)");
    }
    if (interOpThreads < 1) {
      throw new IllegalArgumentException("interOpThreads: " + interOpThreads + " (expected: >= 1)");
    }
  }
}
