package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks names, tags and other client-given values before any SQL runs, with MLflow's limits and
 * messages, so a bad value is INVALID_PARAMETER_VALUE rather than a database error.
 */
public final class RegistryNames {
  public static final int MAX_MODEL_NAME = 256;
  public static final int MAX_TAG_KEY = 250;
  public static final int MAX_TAG_VALUE = 5000;
  public static final int MAX_DESCRIPTION = 5000;
  public static final int MAX_ALIAS = 255;
  public static final int MAX_SOURCE = 2000;
  public static final String RESERVED_ALIAS = "latest";

  private static final Pattern TAG_KEY = Pattern.compile("^[/\\w.\\- ]*$");
  private static final Pattern ALIAS = Pattern.compile("^[\\w\\-]*$");
  private static final Pattern VERSION_LIKE_ALIAS = Pattern.compile("^v\\d+$",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

  private RegistryNames() {}

  /**
   * A model name becomes a folder ({@code models/NAME/3}) and part of {@code models:/NAME@alias},
   * so slashes, backslashes and control characters are refused where MLflow would accept them.
   */
  public static String modelName(String name) {
    if (name == null || name.isEmpty()) {
      throw MlflowException.invalid("Registered model name cannot be empty.");
    }
    if (name.length() > MAX_MODEL_NAME) {
      throw MlflowException.invalid("Registered model name '" + name.substring(0, 40)
          + "...' is " + name.length() + " characters long; the limit is " + MAX_MODEL_NAME);
    }
    if (name.contains("/") || name.contains("\\") || CONTROL.matcher(name).find()
        || name.equals(".") || name.equals("..")) {
      throw MlflowException.invalid("Invalid registered model name '" + name
          + "': names cannot contain '/', '\\' or control characters, nor be '.' or '..'");
    }
    return name;
  }

  public static void tag(String key, String value) {
    if (key == null || key.isEmpty()) {
      throw MlflowException.invalid("Missing value for required parameter 'key'. See the API"
          + " docs for more information about request parameters.");
    }
    if (!TAG_KEY.matcher(key).matches()) {
      throw MlflowException.invalid("Invalid tag name: '" + key + "'. Names may only contain"
          + " alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes"
          + " (/).");
    }
    maxLength("key", key, MAX_TAG_KEY);
    maxLength("value", value, MAX_TAG_VALUE);
  }

  public static void tags(Map<String, String> tags) {
    tags.forEach(RegistryNames::tag);
  }

  public static String description(String description) {
    maxLength("description", description, MAX_DESCRIPTION);
    return description;
  }

  /** MLflow's alias rules: word characters and dashes; "latest" and "v1"-like names reserved. */
  public static String alias(String alias) {
    if (alias == null || alias.isEmpty()) {
      throw MlflowException.invalid("Missing value for required parameter 'alias'. See the API"
          + " docs for more information about request parameters.");
    }
    maxLength("alias", alias, MAX_ALIAS);
    if (!ALIAS.matcher(alias).matches()) {
      throw MlflowException.invalid("Invalid alias name: '" + alias + "'. Names may only"
          + " contain alphanumerics, underscores (_), and dashes (-).");
    }
    if (alias.toLowerCase(Locale.ROOT).equals(RESERVED_ALIAS)) {
      throw MlflowException.invalid("'" + alias + "' alias name (case insensitive) is"
          + " reserved.");
    }
    if (VERSION_LIKE_ALIAS.matcher(alias).matches()) {
      throw MlflowException.invalid("Version alias name '" + alias + "' is reserved.");
    }
    return alias;
  }

  /** A version given as text ("3") by MLflow clients. */
  public static int version(String version) {
    if (version == null || version.isBlank()) {
      throw MlflowException.invalid("Missing value for required parameter 'version'. See the"
          + " API docs for more information about request parameters.");
    }
    try {
      int parsed = Integer.parseInt(version.trim());
      if (parsed < 1) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw MlflowException.invalid("Model version must be a positive integer, got '"
          + version + "'");
    }
  }

  public static void maxLength(String field, String value, int limit) {
    if (value != null && value.length() > limit) {
      throw MlflowException.invalid("'" + field + "' exceeds the maximum length of " + limit
          + " characters (got " + value.length() + ")");
    }
  }
}
