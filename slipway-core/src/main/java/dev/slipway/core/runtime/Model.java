package dev.slipway.core.runtime;

import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import java.util.List;

/**
 * A loaded model, ready to score. Implementations are safe for concurrent {@link #predict} calls;
 * {@link #close} must only be called once no call is in flight.
 */
public interface Model extends AutoCloseable {
  Signature signature();

  /** The runtime's platform name, as Open Inference Protocol metadata reports it. */
  String platform();

  /**
   * Scores one batch.
   *
   * @param inputs tensors already checked by {@link Signature#conform}, in signature order
   * @return every output of the signature, in signature order, with the same batch size
   */
  List<Tensor> predict(List<Tensor> inputs);

  /** Releases native resources. */
  @Override
  void close();
}
