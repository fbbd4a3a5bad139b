package dev.slipway.serving.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.features.online.FeatureStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the answer of {@code POST /v1/features/online} for 1 entity x 250 FLOAT32 features
 * (the HTTP benchmark's request): {@link OnlineFeaturesAnswer}, against the same answer written
 * token by token with Jackson's streaming generator, repeated strings pre-encoded and the event
 * time formatted once (the way it was written before, kept here as the reference the pre-encoded
 * writer has to beat). In the serving package because the writer is
 * package-private there (see {@link OipJsonBenchmark}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OnlineFeaturesAnswerBenchmark {
  private static final int FEATURES = 250;

  private static final SerializedString VALUES = new SerializedString("values");
  private static final SerializedString STATUSES = new SerializedString("statuses");
  private static final SerializedString EVENT_TIMESTAMPS =
      new SerializedString("event_timestamps");
  private static final SerializedString PRESENT =
      new SerializedString(FeatureStatus.PRESENT.name());
  private static final SerializedString EPOCH = new SerializedString(Instant.EPOCH.toString());

  private final OnlineFeaturesAnswer writer = new OnlineFeaturesAnswer();
  private JsonNode entities;
  private List<OnlineFeatureRetrieval.Column> columns;

  @Setup
  public void setUp() throws IOException {
    entities = RestApi.JSON.readTree("{\"customer_id\": [42]}");
    Random random = new Random(42);
    Instant eventTime = Instant.parse("2026-12-01T00:00:00Z");
    columns = new ArrayList<>(FEATURES);
    for (int i = 0; i < FEATURES; i++) {
      columns.add(new OnlineFeatureRetrieval.Column("wide:f" + i, "f" + i,
          new Object[] {(float) random.nextDouble()},
          new FeatureStatus[] {FeatureStatus.PRESENT}, new Instant[] {eventTime}));
    }
  }

  @Benchmark
  public int preEncoded() {
    return writer.write(entities, columns, 1, false).length();
  }

  @Benchmark
  public int jacksonGenerator() throws IOException {
    ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer(256 + FEATURES * 128);
    try (JsonGenerator json = OipJson.factory().createGenerator(
        (OutputStream) new ByteBufOutputStream(out))) {
      json.writeStartObject();
      json.writeObjectFieldStart("metadata");
      json.writeArrayFieldStart("feature_names");
      for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
        json.writeString(field.getKey());
      }
      for (OnlineFeatureRetrieval.Column column : columns) {
        json.writeString(column.feature());
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeArrayFieldStart("results");
      for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
        json.writeStartObject();
        json.writeFieldName(VALUES);
        json.writeTree(field.getValue());
        endResult(json, EPOCH);
      }
      SerializedString eventTime = new SerializedString(columns.get(0).eventTimes()[0].toString());
      for (OnlineFeatureRetrieval.Column column : columns) {
        json.writeStartObject();
        json.writeFieldName(VALUES);
        json.writeStartArray();
        json.writeNumber((Float) column.values()[0]);
        json.writeEndArray();
        endResult(json, eventTime);
      }
      json.writeEndArray();
      json.writeEndObject();
      json.flush();
      return out.readableBytes();
    } finally {
      out.release();
    }
  }

  /** A one-row result's statuses and event times, and its end. */
  private static void endResult(JsonGenerator json, SerializedString eventTime)
      throws IOException {
    json.writeFieldName(STATUSES);
    json.writeStartArray();
    json.writeString(PRESENT);
    json.writeEndArray();
    json.writeFieldName(EVENT_TIMESTAMPS);
    json.writeStartArray();
    json.writeString(eventTime);
    json.writeEndArray();
    json.writeEndObject();
  }
}
