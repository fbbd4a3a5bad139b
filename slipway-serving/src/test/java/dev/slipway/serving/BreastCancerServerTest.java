package dev.slipway.serving;

import dev.slipway.core.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server over a repository holding the PyTorch export bc_mlp as model {@code bc} version 1, with
 * the breast-cancer rows and PyTorch's reference probabilities, shared by one test class.
 */
abstract class BreastCancerServerTest {
  @TempDir static Path repository;
  static ServingFixture fixture;
  static float[][] rows;
  static double[] reference;

  @BeforeAll
  static void startBreastCancerServer() {
    ServingFixture.addVersion(repository, "bc", 1, "bc_mlp.onnx", "model.onnx");
    fixture = ServingFixture.start(repository);
    rows = Fixtures.breastCancerFeatures();
    reference = Fixtures.breastCancerReferenceP1();
  }

  @AfterAll
  static void stopBreastCancerServer() {
    fixture.close();
  }
}
