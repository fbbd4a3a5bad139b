package dev.slipway.registry.models;

import dev.slipway.registry.testing.MutableClock;
import static dev.slipway.registry.models.RegistryEvent.MODEL_VERSION_ALIAS_DELETED;
import static dev.slipway.registry.models.RegistryEvent.MODEL_VERSION_ALIAS_SET;
import static dev.slipway.registry.models.RegistryEvent.MODEL_VERSION_CREATED;
import static dev.slipway.registry.models.RegistryEvent.MODEL_VERSION_TRANSITIONED_STAGE;
import static dev.slipway.registry.models.RegistryEvent.REGISTERED_MODEL_CREATED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.common.HttpStatus;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.internal.RegistryJson;
import dev.slipway.registry.testing.TestDatabases;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end against a local receiver: signed payloads after commit, retries with
 * backoff (a few milliseconds here, injected), every attempt recorded, and a registry that never
 * waits for receivers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class WebhookDeliveryTest {
  private static final String SECRET = "test-secret";
  private static final Duration WAIT = Duration.ofSeconds(20);

  WebhookReceiver receiver;
  RegistryFixture fixture;
  ModelRegistry registry;

  @BeforeAll
  void startReceiver() {
    receiver = new WebhookReceiver();
  }

  @AfterAll
  void stopReceiver() {
    receiver.close();
  }

  @BeforeEach
  void openRegistry(@TempDir Path folder) {
    receiver.reset();
    WebhookDispatcher dispatcher = WebhookDispatcher.builder()
        .backoff(Backoff.fixed(5))
        .maxAttempts(3)
        .attemptTimeout(Duration.ofSeconds(10))
        .clock(new MutableClock(RegistryFixture.START))
        .build();
    fixture = new RegistryFixture(TestDatabases.h2(folder), folder, PromotionPolicy.defaults(),
        dispatcher);
    registry = fixture.registry;
  }

  @AfterEach
  void closeRegistry() {
    receiver.held.complete(HttpStatus.OK);
    fixture.close();
  }

  @Test
  void everyEvent_arrivesSignedWithItsIdAndData() throws Exception {
    Webhook webhook = registry.createWebhook(receiver.url("/ok"),
        EnumSet.allOf(RegistryEvent.class), SECRET);

    fixture.model("m");
    fixture.validatedVersion("m");
    fixture.validatedVersion("m");
    registry.transitionModelVersionStage("m", 1, "Production", false, "alice");
    registry.transitionModelVersionStage("m", 2, "Production", true, "bob");
    registry.setRegisteredModelAlias("m", "champion", 2, "carol");
    registry.deleteRegisteredModelAlias("m", "champion", "dave");

    await().atMost(WAIT).until(() -> receiver.at("/ok").size() == 8);
    List<JsonNode> payloads = new ArrayList<>();
    for (WebhookReceiver.Received request : receiver.at("/ok")) {
      assertThat(request.signedWith(SECRET)).as(request.body()).isTrue();
      assertThat(request.signedWith("other")).isFalse();
      JsonNode payload = RegistryServer.JSON.readTree(request.body());
      assertThat(request.eventId()).isEqualTo(payload.get("event_id").asText());
      assertThat(request.event()).isEqualTo(payload.get("event").asText());
      assertThat(request.timestamp()).isEqualTo(payload.get("timestamp").asText());
      payloads.add(payload);
    }
    // Deliveries run concurrently, so arrival order is not promised: compare as sets.
    assertThat(payloads).extracting(payload -> payload.get("event").asText())
        .containsExactlyInAnyOrder(REGISTERED_MODEL_CREATED.name(),
            MODEL_VERSION_CREATED.name(), MODEL_VERSION_CREATED.name(),
            MODEL_VERSION_TRANSITIONED_STAGE.name(), MODEL_VERSION_TRANSITIONED_STAGE.name(),
            MODEL_VERSION_TRANSITIONED_STAGE.name(), MODEL_VERSION_ALIAS_SET.name(),
            MODEL_VERSION_ALIAS_DELETED.name());
    assertThat(payloads).extracting(payload -> payload.get("event_id").asText())
        .doesNotHaveDuplicates();
    assertThat(payloads).extracting(payload -> payload.get("data")).contains(
        RegistryServer.JSON.readTree("""
            {"name": "m", "version": "2", "actor": "bob", "from_stage": "None",
             "to_stage": "Production"}"""),
        RegistryServer.JSON.readTree("""
            {"name": "m", "version": "1", "actor": "bob", "from_stage": "Production",
             "to_stage": "Archived", "archived_for_version": "2"}"""),
        RegistryServer.JSON.readTree("""
            {"name": "m", "version": "2", "actor": "carol", "alias": "champion"}"""),
        RegistryServer.JSON.readTree("""
            {"name": "m", "version": "2", "actor": "dave", "alias": "champion"}"""));
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        registry.listWebhookDeliveries(webhook.id(), 100)).hasSize(8).allSatisfy(delivery -> {
          assertThat(delivery.status()).isEqualTo(WebhookDelivery.DELIVERED);
          assertThat(delivery.attempts()).isEqualTo(1);
          assertThat(delivery.attemptLog()).singleElement().satisfies(attempt ->
              assertThat(attempt.statusCode()).isEqualTo(200));
        }));
  }

  @Test
  void onlySubscribedEvents_andOnlyCommittedChanges_areSent() {
    Webhook webhook = registry.createWebhook(receiver.url("/ok"),
        Set.of(MODEL_VERSION_ALIAS_SET), SECRET);

    fixture.model("m");
    fixture.validatedVersion("m");
    fixture.version("m");
    try {
      fixture.model("m");
    } catch (MlflowException expected) {
      // A rolled-back create raises no event.
    }
    try {
      registry.setRegisteredModelAlias("m", "production", 2, null);
    } catch (MlflowException expected) {
      // Refused by the gate: no change, no event.
    }
    registry.setRegisteredModelAlias("m", "production", 1, null);

    await().atMost(WAIT).until(() -> receiver.at("/ok").size() == 1);
    assertThat(receiver.at("/ok").get(0).event()).isEqualTo(MODEL_VERSION_ALIAS_SET.name());
    assertThat(registry.listWebhookDeliveries(webhook.id(), 100)).hasSize(1);
  }

  @Test
  void flakyReceiver_isRetriedWithBackoff_andEveryAttemptIsRecorded() {
    Webhook webhook = registry.createWebhook(receiver.url("/flaky"),
        Set.of(REGISTERED_MODEL_CREATED), SECRET);

    fixture.model("m");

    await().atMost(WAIT).untilAsserted(() -> assertThat(
        registry.listWebhookDeliveries(webhook.id(), 10)).singleElement().satisfies(delivery -> {
          assertThat(delivery.status()).isEqualTo(WebhookDelivery.DELIVERED);
          assertThat(delivery.attempts()).isEqualTo(3);
          assertThat(delivery.lastError()).isNull();
          assertThat(delivery.deliveredAt()).isNotNull();
          assertThat(delivery.attemptLog()).extracting(WebhookDelivery.Attempt::attempt)
              .containsExactly(1, 2, 3);
          assertThat(delivery.attemptLog()).extracting(WebhookDelivery.Attempt::statusCode)
              .containsExactly(500, 500, 200);
          assertThat(delivery.attemptLog().get(0).error()).isEqualTo("HTTP 500");
        }));
    List<WebhookReceiver.Received> attempts = receiver.at("/flaky");
    assertThat(attempts).hasSize(3);
    assertThat(attempts).extracting(WebhookReceiver.Received::eventId).containsOnly(
        attempts.get(0).eventId());
    assertThat(attempts).extracting(WebhookReceiver.Received::body).containsOnly(
        attempts.get(0).body());
  }

  @Test
  void deadOrUnreachableReceivers_endFailed_withoutFailingTheRegistry() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    Webhook down = registry.createWebhook(receiver.url("/down"),
        Set.of(REGISTERED_MODEL_CREATED), SECRET);
    Webhook unreachable = registry.createWebhook("http://127.0.0.1:" + closedPort + "/hook",
        Set.of(REGISTERED_MODEL_CREATED), SECRET);

    RegisteredModel created = fixture.model("m");

    assertThat(created.name()).isEqualTo("m");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(registry.listWebhookDeliveries(down.id(), 10)).singleElement()
          .satisfies(delivery -> {
            assertThat(delivery.status()).isEqualTo(WebhookDelivery.FAILED);
            assertThat(delivery.attempts()).isEqualTo(3);
            assertThat(delivery.lastError()).isEqualTo("HTTP 503");
            assertThat(delivery.attemptLog()).hasSize(3);
          });
      assertThat(registry.listWebhookDeliveries(unreachable.id(), 10)).singleElement()
          .satisfies(delivery -> {
            assertThat(delivery.status()).isEqualTo(WebhookDelivery.FAILED);
            assertThat(delivery.attempts()).isEqualTo(3);
            assertThat(delivery.lastError()).containsIgnoringCase("connect");
            assertThat(delivery.attemptLog()).hasSize(3).allSatisfy(attempt ->
                assertThat(attempt.statusCode()).isNull());
          });
    });
    assertThat(registry.listWebhookDeliveries(null, 10)).hasSize(2);
  }

  @Test
  void aReceiverThatNeverAnswers_doesNotHoldUpTheRegistry() {
    Webhook webhook = registry.createWebhook(receiver.url("/hold"),
        Set.of(REGISTERED_MODEL_CREATED), SECRET);

    fixture.model("a");
    fixture.model("b");

    await().atMost(WAIT).until(() -> receiver.at("/hold").size() == 2);
    assertThat(registry.listWebhookDeliveries(webhook.id(), 10)).hasSize(2)
        .allSatisfy(delivery -> assertThat(delivery.status()).isEqualTo(
            WebhookDelivery.PENDING));
    receiver.held.complete(HttpStatus.NO_CONTENT);
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        registry.listWebhookDeliveries(webhook.id(), 10)).allSatisfy(delivery ->
            assertThat(delivery.status()).isEqualTo(WebhookDelivery.DELIVERED)));
  }

  @Test
  void deletedWebhooks_receiveNothingMore_andDeliveriesHaveAJsonShape() {
    Webhook webhook = registry.createWebhook(receiver.url("/ok"),
        Set.of(REGISTERED_MODEL_CREATED), SECRET);
    fixture.model("a");
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        registry.listWebhookDeliveries(webhook.id(), 10)).singleElement().extracting(
            WebhookDelivery::status).isEqualTo(WebhookDelivery.DELIVERED));
    JsonNode json = RegistryJson.delivery(registry.listWebhookDeliveries(webhook.id(), 10)
        .get(0));

    registry.deleteWebhook(webhook.id());
    Webhook other = registry.createWebhook(receiver.url("/ok"),
        Set.of(REGISTERED_MODEL_CREATED), SECRET);
    fixture.model("b");

    await().atMost(WAIT).until(() -> receiver.at("/ok").size() == 2);
    assertThat(registry.listWebhooks()).extracting(Webhook::id).containsExactly(other.id());
    assertThat(registry.listWebhookDeliveries(null, 10)).extracting(
        WebhookDelivery::webhookId).containsOnly(other.id());
    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("id", "webhook_id", "event", "event_id", "status",
        "attempts", "created_at", "delivered_at", "payload", "attempt_log");
    assertThat(json.get("attempt_log").get(0).get("status_code").asInt()).isEqualTo(200);
    assertThat(json.get("status").asText()).isEqualTo("DELIVERED");
  }
}
