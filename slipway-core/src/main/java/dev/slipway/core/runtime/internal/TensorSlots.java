package dev.slipway.core.runtime.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.slipway.core.Tensor;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * One thread's native tensors for ONNX Runtime calls, reused from call to call: one slot per
 * input position and one per output position, each a tensor over direct memory that ONNX Runtime
 * reads (inputs) or writes (pinned outputs) in place. A call of the same shape as the last one
 * on its thread creates no native object at all: ONNX Runtime copies a heap array into a new
 * direct buffer on every call (whose native memory only a garbage collection gives back), and a
 * tensor it allocates for an output costs a call back into Java per output to wrap it.
 *
 * <p>Slots hold no model state: models of the same input shape share them. A tensor over Java
 * memory owns no native data, so a slot left by a thread that ended costs a few bytes.
 */
final class TensorSlots {
  /** Memory above this is not kept after the call, so that one huge request pins nothing. */
  static final int KEPT_BYTES = 4 << 20;
  private static final ThreadLocal<TensorSlots> THREAD_SLOTS =
      ThreadLocal.withInitial(TensorSlots::new);

  private Slot[] inputs = new Slot[0];
  private Slot[] outputs = new Slot[0];

  private TensorSlots() {}

  static TensorSlots ofThisThread() {
    return THREAD_SLOTS.get();
  }

  Slot input(int position) {
    if (inputs.length <= position) {
      inputs = grow(inputs, position);
    }
    return inputs[position];
  }

  Slot output(int position) {
    if (outputs.length <= position) {
      outputs = grow(outputs, position);
    }
    return outputs[position];
  }

  private static Slot[] grow(Slot[] slots, int position) {
    Slot[] grown = Arrays.copyOf(slots, position + 1);
    for (int i = slots.length; i < grown.length; i++) {
      grown[i] = new Slot();
    }
    return grown;
  }

  /** Whether a slot can hold values of {@code type}. */
  static boolean holds(OnnxJavaType type) {
    return type == OnnxJavaType.FLOAT || type == OnnxJavaType.DOUBLE
        || type == OnnxJavaType.INT32 || type == OnnxJavaType.INT64;
  }

  /** A reusable tensor of one type and shape over direct memory. */
  static final class Slot {
    private ByteBuffer memory;
    private Buffer values;
    private OnnxTensor tensor;
    private OnnxJavaType type;
    private long[] shape;

    /**
     * The slot's tensor for {@code type} (one {@link #holds} accepts) and {@code shape}: the
     * last call's when both match, else a new one over the slot's memory, grown as needed.
     */
    OnnxTensor tensor(OrtEnvironment environment, OnnxJavaType type, long[] shape)
        throws OrtException {
      if (tensor != null && type == this.type && Arrays.equals(shape, this.shape)) {
        return tensor;
      }
      discardTensor();
      long elements = Tensor.elementCount(shape);
      int bytes = Math.toIntExact(elements * type.size);
      if (memory == null || memory.capacity() < bytes) {
        int kept = memory == null ? 0 : Math.min(KEPT_BYTES, 2 * memory.capacity());
        memory = ByteBuffer.allocateDirect(Math.max(bytes, kept));
      }
      ByteBuffer window = memory.duplicate().clear().limit(bytes).slice()
          .order(ByteOrder.nativeOrder());
      values = switch (type) {
        case FLOAT -> window.asFloatBuffer();
        case DOUBLE -> window.asDoubleBuffer();
        case INT32 -> window.asIntBuffer();
        case INT64 -> window.asLongBuffer();
        default -> throw new IllegalArgumentException("no slot for " + type);
      };
      // A direct byte buffer is used in place, whatever the element type it is read as.
      tensor = OnnxTensor.createTensor(environment, window, shape, type);
      this.type = type;
      this.shape = shape.clone();
      return tensor;
    }

    /** Copies {@code data} (an array of the tensor's element type and size) into the tensor. */
    void write(Object data) {
      switch (type) {
        case FLOAT -> ((FloatBuffer) values).put(0, (float[]) data);
        case DOUBLE -> ((DoubleBuffer) values).put(0, (double[]) data);
        case INT32 -> ((IntBuffer) values).put(0, (int[]) data);
        case INT64 -> ((LongBuffer) values).put(0, (long[]) data);
        default -> throw new AssertionError(type);
      }
    }

    /** A copy of the tensor's values as a Java array of its element type. */
    Object read() {
      int count = values.capacity();
      switch (type) {
        case FLOAT -> {
          float[] data = new float[count];
          ((FloatBuffer) values).get(0, data);
          return data;
        }
        case DOUBLE -> {
          double[] data = new double[count];
          ((DoubleBuffer) values).get(0, data);
          return data;
        }
        case INT32 -> {
          int[] data = new int[count];
          ((IntBuffer) values).get(0, data);
          return data;
        }
        case INT64 -> {
          long[] data = new long[count];
          ((LongBuffer) values).get(0, data);
          return data;
        }
        default -> throw new AssertionError(type);
      }
    }

    long[] shape() {
      return shape;
    }

    /** Gives up memory above {@link #KEPT_BYTES} once a call is done with it. */
    void trim() {
      if (memory != null && memory.capacity() > KEPT_BYTES) {
        discardTensor();
        memory = null;
      }
    }

    private void discardTensor() {
      if (tensor != null) {
        tensor.close();
        tensor = null;
        values = null;
        shape = null;
      }
    }
  }
}
