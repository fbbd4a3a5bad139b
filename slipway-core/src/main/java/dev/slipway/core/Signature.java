package dev.slipway.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's data contract: its inputs and outputs. Every request is checked against it before a
 * runtime sees it, so runtimes can trust their inputs.
 *
 * @param anyInputName true when the model has one input whose name does not matter (XGBoost): a
 *     request's single input is accepted under any name
 */
public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs, boolean anyInputName) {
  public Signature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (anyInputName && inputs.size() != 1) {
      throw new IllegalArgumentException(
          "anyInputName: true with " + inputs.size() + " inputs (expected: exactly one input)");
    }
  }

  public static Signature of(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    return new Signature(inputs, outputs, false);
  }

  public Optional<TensorSpec> input(String name) {
    return inputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
  }

  public Optional<TensorSpec> output(String name) {
    return outputs.stream().filter(spec -> spec.name().equals(name)).findFirst();
  }

  /**
   * Checks request tensors against the contract and returns them in signature order, renamed to
   * the signature's names where {@link #anyInputName()} allows another name.
   *
   * @throws InvalidInputException naming the first input that breaks the contract and what was
   *     expected
   */
  public List<Tensor> conform(Collection<Tensor> given) {
    Map<String, Tensor> byName = new HashMap<>();
    for (Tensor tensor : given) {
      if (byName.put(tensor.name(), tensor) != null) {
        throw new InvalidInputException(
            "input '" + tensor.name() + "': given more than once (expected each input once)");
      }
    }
    if (anyInputName && given.size() == 1) {
      Tensor only = given.iterator().next();
      byName = Map.of(inputs.get(0).name(), only.withName(inputs.get(0).name()));
    }
    for (String name : byName.keySet()) {
      if (input(name).isEmpty()) {
        throw new InvalidInputException(
            "input '" + name + "': unknown to this model (expected inputs: " + inputNames() + ")");
      }
    }
    List<Tensor> ordered = new ArrayList<>(inputs.size());
    long batch = -1;
    String batchSource = null;
    for (TensorSpec spec : inputs) {
      Tensor tensor = byName.get(spec.name());
      if (tensor == null) {
        throw new InvalidInputException(
            "input '" + spec.name() + "': missing (expected inputs: " + inputNames() + ")");
      }
      checkTensor(spec, tensor);
      if (spec.batchable()) {
        if (batchSource != null && tensor.dimension(0) != batch) {
          throw new InvalidInputException(
              "input '" + spec.name() + "': batch size " + tensor.dimension(0)
                  + " (expected " + batch + ", the batch size of input '" + batchSource + "')");
        }
        batch = tensor.dimension(0);
        batchSource = spec.name();
      }
      ordered.add(tensor);
    }
    return ordered;
  }

  /** Checks that every requested output exists. */
  public void checkOutputNames(Collection<String> requested) {
    for (String name : requested) {
      if (output(name).isEmpty()) {
        throw new InvalidInputException(
            "output '" + name + "': unknown to this model (expected outputs: " + outputNames()
                + ")");
      }
    }
  }

  private static void checkTensor(TensorSpec spec, Tensor tensor) {
    if (tensor.dataType() != spec.dataType()) {
      throw new InvalidInputException(
          "input '" + spec.name() + "': datatype " + tensor.dataType() + " (expected "
              + spec.dataType() + ")");
    }
    long[] expected = spec.shape();
    long[] actual = tensor.shape();
    boolean matches = expected.length == actual.length;
    for (int i = 0; matches && i < expected.length; i++) {
      matches = expected[i] < 0 ? actual[i] >= 0 : expected[i] == actual[i];
    }
    if (!matches) {
      throw new InvalidInputException(
          "input '" + spec.name() + "': shape " + Arrays.toString(actual) + " (expected "
              + Arrays.toString(expected) + ", -1 means any size)");
    }
  }

  public List<String> inputNames() {
    return inputs.stream().map(TensorSpec::name).toList();
  }

  public List<String> outputNames() {
    return outputs.stream().map(TensorSpec::name).toList();
  }
}
