package dev.slipway.core.runtime;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Small ONNX graphs for the runtime's edge cases, built with the ONNX protobuf classes. */
final class TestGraphs {
  static final String INPUT = "x";
  static final String OUTPUT = "y";

  private TestGraphs() {}

  /**
   * {@code y = concat(x, x)} along rows, with {@code y} declared [firstDim, 2] (x is [batch, 2]):
   * with "batch" the declaration is wrong about the size, with "" it leaves the size unknown.
   */
  static byte[] concatWithItself(String firstDim) {
    NodeProto concat = NodeProto.newBuilder().setOpType("Concat").setName("concat")
        .addInput(INPUT).addInput(INPUT).addOutput(OUTPUT)
        .addAttribute(AttributeProto.newBuilder().setName("axis")
            .setType(AttributeProto.AttributeType.INT).setI(0))
        .build();
    return model(concat, tensor(INPUT, TensorProto.DataType.FLOAT_VALUE, "batch", 2),
        tensor(OUTPUT, TensorProto.DataType.FLOAT_VALUE, firstDim, 2));
  }

  /** {@code y = argmax(x, axis 1, keepdims)}: INT64 [batch, 1] for FP32 x [batch, 2]. */
  static byte[] argMaxOfRows() {
    NodeProto argMax = NodeProto.newBuilder().setOpType("ArgMax").setName("argmax")
        .addInput(INPUT).addOutput(OUTPUT)
        .addAttribute(AttributeProto.newBuilder().setName("axis")
            .setType(AttributeProto.AttributeType.INT).setI(1))
        .build();
    return model(argMax, tensor(INPUT, TensorProto.DataType.FLOAT_VALUE, "batch", 2),
        tensor(OUTPUT, TensorProto.DataType.INT64_VALUE, "batch", 1));
  }

  private static byte[] model(NodeProto node, ValueInfoProto input, ValueInfoProto output) {
    GraphProto graph = GraphProto.newBuilder().setName("test").addNode(node)
        .addInput(input).addOutput(output).build();
    return ModelProto.newBuilder().setIrVersion(7).setProducerName("slipway-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build()
        .toByteArray();
  }

  private static ValueInfoProto tensor(String name, int elementType, String firstDim,
      long columns) {
    TensorShapeProto.Dimension.Builder first = TensorShapeProto.Dimension.newBuilder();
    if (!firstDim.isEmpty()) {
      first.setDimParam(firstDim);
    }
    TensorShapeProto shape = TensorShapeProto.newBuilder().addDim(first)
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns)).build();
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(elementType).setShape(shape)))
        .build();
  }
}
