package dev.slipway.core.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.core.DataType;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.runtime.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An MLflow model folder: the {@code MLmodel} file names a flavor and its data file, and may carry
 * a signature (tensor-based or column-based). The signature narrows the runtime's own: it may fix
 * dimensions the graph leaves open and name an XGBoost input, but never contradict the artifact.
 */
public final class MlflowModelFolder {
  public static final String MLMODEL_FILE = "MLmodel";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, DataType> NUMPY_TYPES = Map.of(
      "float32", DataType.FP32, "float64", DataType.FP64, "int32", DataType.INT32,
      "int64", DataType.INT64, "bool", DataType.BOOL, "int8", DataType.INT8,
      "uint8", DataType.UINT8);

  private final Path mlmodel;
  private final String flavor;
  private final Path artifact;
  private final List<TensorSpec> tensorInputs;
  private final int columnInputs;

  private MlflowModelFolder(
      Path mlmodel, String flavor, Path artifact, List<TensorSpec> tensorInputs, int columnInputs) {
    this.mlmodel = mlmodel;
    this.flavor = flavor;
    this.artifact = artifact;
    this.tensorInputs = tensorInputs;
    this.columnInputs = columnInputs;
  }

  /** Reads {@code folder/MLmodel}, choosing the first flavor among {@code runtimeNames}. */
  public static MlflowModelFolder read(Path folder, List<String> runtimeNames) {
    Path mlmodel = folder.resolve(MLMODEL_FILE);
    JsonNode root;
    try {
      root = YAML.readTree(mlmodel.toFile());
    } catch (IOException e) {
      throw new ModelLoadException(mlmodel + ": not valid YAML: " + e.getMessage(), e);
    }
    JsonNode flavors = root == null ? null : root.get("flavors");
    if (flavors == null || !flavors.isObject()) {
      throw new ModelLoadException(mlmodel + ": no 'flavors' section (expected an MLflow MLmodel)");
    }
    String flavor = runtimeNames.stream().filter(flavors::has).findFirst().orElseThrow(
        () -> new ModelLoadException(mlmodel + ": flavors " + fieldNames(flavors)
            + " (expected one of " + runtimeNames + ")"));
    String data = flavors.get(flavor).path("data").asText("");
    if (data.isEmpty()) {
      throw new ModelLoadException(mlmodel + ": flavor '" + flavor + "' has no 'data' file");
    }
    Path artifact = folder.resolve(data).normalize();
    if (!artifact.startsWith(folder.normalize()) || !Files.isRegularFile(artifact)) {
      throw new ModelLoadException(
          mlmodel + ": flavor '" + flavor + "' data '" + data
              + "' (expected a file inside the model folder)");
    }
    List<TensorSpec> tensorInputs = new ArrayList<>();
    int columnInputs = 0;
    JsonNode inputs = root.path("signature").path("inputs");
    if (inputs.isTextual()) {
      JsonNode specs;
      try {
        specs = JSON.readTree(inputs.asText());
      } catch (IOException e) {
        throw new ModelLoadException(mlmodel + ": signature.inputs is not JSON: " + e.getMessage());
      }
      for (JsonNode spec : specs) {
        if ("tensor".equals(spec.path("type").asText())) {
          tensorInputs.add(tensorSpec(mlmodel, spec, tensorInputs.size()));
        } else {
          columnInputs++;
        }
      }
    }
    return new MlflowModelFolder(mlmodel, flavor, artifact, tensorInputs, columnInputs);
  }

  private static TensorSpec tensorSpec(Path mlmodel, JsonNode spec, int position) {
    JsonNode tensor = spec.path("tensor-spec");
    String dtype = tensor.path("dtype").asText();
    DataType dataType = NUMPY_TYPES.get(dtype);
    if (dataType == null) {
      throw new ModelLoadException(mlmodel + ": signature input " + position + " has dtype '"
          + dtype + "' (expected one of " + NUMPY_TYPES.keySet() + ")");
    }
    JsonNode dims = tensor.path("shape");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).asLong();
    }
    return new TensorSpec(spec.path("name").asText(""), dataType, shape);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  public String flavor() {
    return flavor;
  }

  public Path artifact() {
    return artifact;
  }

  /** The loaded model under the MLmodel signature merged into the runtime's. */
  public Model refine(Model model) {
    Signature own = model.signature();
    List<TensorSpec> inputs = new ArrayList<>(own.inputs());
    if (!tensorInputs.isEmpty()) {
      if (tensorInputs.size() != inputs.size()) {
        throw mismatch("declares " + tensorInputs.size() + " inputs, the artifact has "
            + inputs.size());
      }
      for (int i = 0; i < inputs.size(); i++) {
        inputs.set(i, merge(inputs.get(i), tensorInputs.get(i), own.anyInputName()));
      }
    } else if (columnInputs > 0) {
      if (inputs.size() != 1 || inputs.get(0).shape().length != 2) {
        throw mismatch("declares " + columnInputs + " columns, the artifact expects inputs "
            + inputs);
      }
      TensorSpec only = inputs.get(0);
      inputs.set(0, merge(only, new TensorSpec(only.name(), only.dataType(),
          new long[] {-1, columnInputs}), false));
    }
    Signature refined = new Signature(inputs, own.outputs(), own.anyInputName());
    return new Model() {
      @Override
      public Signature signature() {
        return refined;
      }

      @Override
      public String platform() {
        return model.platform();
      }

      @Override
      public List<Tensor> predict(List<Tensor> conformed) {
        return model.predict(conformed);
      }

      @Override
      public void close() {
        model.close();
      }
    };
  }

  private TensorSpec merge(TensorSpec own, TensorSpec declared, boolean renamable) {
    String name = own.name();
    if (!declared.name().isEmpty() && !declared.name().equals(own.name())) {
      if (!renamable) {
        throw mismatch("names input '" + declared.name() + "', the artifact's is '" + own.name()
            + "'");
      }
      name = declared.name();
    }
    if (declared.dataType() != own.dataType()) {
      throw mismatch("gives input '" + name + "' datatype " + declared.dataType()
          + ", the artifact expects " + own.dataType());
    }
    long[] ownShape = own.shape();
    long[] declaredShape = declared.shape();
    if (ownShape.length != declaredShape.length) {
      throw mismatch("gives input '" + name + "' shape " + Arrays.toString(declaredShape)
          + ", the artifact expects " + Arrays.toString(ownShape));
    }
    long[] merged = ownShape.clone();
    for (int i = 0; i < merged.length; i++) {
      if (merged[i] < 0) {
        merged[i] = declaredShape[i];
      } else if (declaredShape[i] >= 0 && declaredShape[i] != merged[i]) {
        throw mismatch("gives input '" + name + "' shape " + Arrays.toString(declaredShape)
            + ", the artifact expects " + Arrays.toString(ownShape));
      }
    }
    return new TensorSpec(name, own.dataType(), merged);
  }

  private ModelLoadException mismatch(String detail) {
    return new ModelLoadException(mlmodel + ": the signature " + detail
        + " (fix the MLmodel signature or the artifact)");
  }
}
