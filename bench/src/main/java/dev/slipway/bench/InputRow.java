package dev.slipway.bench;

import com.google.protobuf.ByteString;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One data row of a fixture CSV ({@code breast_cancer.csv}, {@code big_inputs.csv}) as a model
 * input of shape [1, columns], and the requests that carry it. A column named {@code label} is
 * the answer, not a feature, so it is left out.
 */
public record InputRow(float[] values) {
  /** The input tensor name of both fixture models. */
  public static final String INPUT_NAME = "input";

  private static final String USAGE = """
      Usage: InputRow CSV [ROW] [--grpc-frame MODEL]
      Prints the REST request body for data row ROW (default 0): what the scripts hand to wrk.
      With --grpc-frame, writes instead a gRPC ModelInfer request for MODEL (raw_input_contents)
      in its length-prefixed wire frame: what they hand to h2load.""";

  public static void main(String[] args) throws IOException {
    List<String> arguments = List.of(args);
    int frame = arguments.indexOf("--grpc-frame");
    List<String> positional = frame < 0 ? arguments : arguments.subList(0, frame);
    if (positional.isEmpty() || positional.size() > 2
        || (frame >= 0 && frame != arguments.size() - 2)) {
      System.err.println(USAGE);
      System.exit(2);
    }
    InputRow row = read(Path.of(positional.get(0)),
        positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 0);
    if (frame < 0) {
      System.out.print(row.restJson());
      return;
    }
    byte[] message = row.grpcRequest(arguments.get(frame + 1), true).toByteArray();
    // gRPC's frame: a compressed flag (0: not) and the message's length, big-endian.
    ByteBuffer framed = ByteBuffer.allocate(5 + message.length).put((byte) 0)
        .putInt(message.length).put(message);
    System.out.write(framed.array());
    System.out.flush();
  }

  /** Reads 0-based data row {@code row} (the header does not count). */
  public static InputRow read(Path csv, int row) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (lines.size() < row + 2) {
      throw new IllegalArgumentException(
          csv + ": has " + (lines.size() - 1) + " data rows (asked for row " + row + ")");
    }
    String[] header = lines.get(0).split(",");
    String[] cells = lines.get(row + 1).split(",");
    if (cells.length != header.length) {
      throw new IllegalArgumentException(csv + ": row " + row + " has " + cells.length
          + " cells for " + header.length + " columns");
    }
    float[] values = new float[header.length];
    int count = 0;
    for (int i = 0; i < header.length; i++) {
      if (!header[i].trim().equals("label")) {
        values[count++] = Float.parseFloat(cells[i].trim());
      }
    }
    return new InputRow(Arrays.copyOf(values, count));
  }

  /** An Open Inference Protocol REST body, the way a JSON client writes it. */
  public String restJson() {
    StringBuilder json = new StringBuilder(32 + values.length * 12);
    json.append("{\"inputs\":[{\"name\":\"").append(INPUT_NAME)
        .append("\",\"shape\":[1,").append(values.length)
        .append("],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(values[i]);
    }
    return json.append("]}]}").toString();
  }

  /**
   * An Open Inference Protocol gRPC request, with typed {@code fp32_contents} or, as Triton's
   * clients send them, little-endian {@code raw_input_contents}.
   */
  public ModelInferRequest grpcRequest(String model, boolean raw) {
    ModelInferRequest.InferInputTensor.Builder input =
        ModelInferRequest.InferInputTensor.newBuilder()
            .setName(INPUT_NAME)
            .setDatatype("FP32")
            .addShape(1)
            .addShape(values.length);
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
    if (raw) {
      ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES)
          .order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(values);
      request.addRawInputContents(ByteString.copyFrom(bytes.array()));
    } else {
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (float value : values) {
        contents.addFp32Contents(value);
      }
      input.setContents(contents);
    }
    return request.addInputs(input).build();
  }
}
