package dev.slipway.spark;

import dev.slipway.spark.testing.LocalEngine;
import dev.slipway.spark.testing.LocalSpark;
import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Tests that compare Spark with the local engine (slipway-app's jar, run as a process): the jar
 * found once, Spark started once per class when it is there, and each test skipped loudly (or
 * failed under SLIPWAY_REQUIRE_SERVICES=1) when it is not.
 */
abstract class LocalEngineTestBase {
  static LocalEngine localEngine;
  static SparkSession spark;

  @BeforeAll
  static void findLocalEngineAndStartSpark() throws IOException, InterruptedException {
    localEngine = LocalEngine.find();
    if (localEngine.available()) {
      spark = LocalSpark.start();
    }
  }

  @BeforeEach
  void requireLocalEngine(TestInfo test) {
    localEngine.require(test);
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
  }
}
