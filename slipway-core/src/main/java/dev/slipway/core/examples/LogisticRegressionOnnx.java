package dev.slipway.core.examples;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a logistic regression as a real ONNX graph ({@code Gemm} then {@code Sigmoid}): input
 * {@code features} FP32 [batch, n], output {@code probability} FP32 [batch, 1].
 */
public final class LogisticRegressionOnnx {
  public static final String INPUT = "features";
  public static final String OUTPUT = "probability";

  private LogisticRegressionOnnx() {}

  /** The serialized ONNX model for {@code sigmoid(features . weights + bias)}. */
  public static byte[] toBytes(float[] weights, float bias) {
    TensorProto weightTensor = TensorProto.newBuilder()
        .setName("weights")
        .setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addDims(weights.length)
        .addDims(1)
        .addAllFloatData(boxed(weights))
        .build();
    TensorProto biasTensor = TensorProto.newBuilder()
        .setName("bias")
        .setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addDims(1)
        .addFloatData(bias)
        .build();
    GraphProto graph = GraphProto.newBuilder()
        .setName("logistic_regression")
        .addInitializer(weightTensor)
        .addInitializer(biasTensor)
        .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("linear")
            .addInput(INPUT).addInput("weights").addInput("bias").addOutput("logit"))
        .addNode(NodeProto.newBuilder().setOpType("Sigmoid").setName("sigmoid")
            .addInput("logit").addOutput(OUTPUT))
        .addInput(floatMatrix(INPUT, weights.length))
        .addOutput(floatMatrix(OUTPUT, 1))
        .build();
    return ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("slipway")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  /** Writes the model to {@code file}, creating parent folders. */
  public static void write(Path file, float[] weights, float bias) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, toBytes(weights, bias));
  }

  private static ValueInfoProto floatMatrix(String name, int columns) {
    TensorShapeProto shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
        .build();
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
        .build();
  }

  private static Iterable<Float> boxed(float[] values) {
    java.util.List<Float> list = new java.util.ArrayList<>(values.length);
    for (float value : values) {
      list.add(value);
    }
    return list;
  }
}
