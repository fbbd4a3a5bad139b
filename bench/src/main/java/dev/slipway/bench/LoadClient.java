package dev.slipway.bench;

/** A client that drives closed-loop users against one endpoint. */
interface LoadClient extends AutoCloseable {
  /**
   * Starts {@code users} users and returns at once. Each user sends a request, waits for its
   * answer, reports it to {@code measurement} and sends the next while
   * {@link Measurement#nextOrDone} allows.
   */
  void start(Measurement measurement, int users);

  /** What the result line says about the client: {@code key=value} pairs. */
  String describe();

  @Override
  void close();
}
