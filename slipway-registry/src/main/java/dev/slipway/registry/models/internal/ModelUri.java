package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelStage;
import java.util.Locale;

/**
 * A parsed {@code models:/} URI: {@code models:/NAME/3}, {@code models:/NAME/Production},
 * {@code models:/NAME/latest} or {@code models:/NAME@alias}. Exactly one of version, stage,
 * alias is set, or none for latest.
 */
public record ModelUri(String name, Integer version, ModelStage stage, String alias) {
  public static final String SCHEME = "models:/";

  /**
   * @throws MlflowException INVALID_PARAMETER_VALUE saying which forms are accepted
   */
  public static ModelUri parse(String uri) {
    if (uri == null || !uri.startsWith(SCHEME) || uri.startsWith(SCHEME + "/")) {
      throw invalid(uri, "it does not start with 'models:/'");
    }
    String rest = uri.substring(SCHEME.length());
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String name = rest.substring(0, slash);
      String suffix = rest.substring(slash + 1);
      if (name.isEmpty() || suffix.isEmpty() || suffix.contains("/")) {
        throw invalid(uri, "expected exactly one '/' between the name and the version or stage");
      }
      if (suffix.chars().allMatch(Character::isDigit)) {
        int version = parseVersion(suffix);
        if (version < 1) {
          throw invalid(uri, "versions start at 1");
        }
        return new ModelUri(name, version, null, null);
      }
      if (suffix.toLowerCase(Locale.ROOT).equals("latest")) {
        return new ModelUri(name, null, null, null);
      }
      ModelStage stage = ModelStage.find(suffix);
      if (stage == null) {
        throw invalid(uri, "'" + suffix + "' is neither a version number, 'latest', nor one of"
            + " the stages None, Staging, Production, Archived");
      }
      return new ModelUri(name, null, stage, null);
    }
    int at = rest.lastIndexOf('@');
    if (at > 0 && at < rest.length() - 1) {
      return new ModelUri(rest.substring(0, at), null, null, rest.substring(at + 1));
    }
    throw invalid(uri, "expected a version, stage or 'latest' after '/', or an alias after '@'");
  }

  private static int parseVersion(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static MlflowException invalid(String uri, String problem) {
    return MlflowException.invalid("Invalid model URI '" + uri + "': " + problem + ". Use"
        + " models:/<name>/<version>, models:/<name>/<stage>, models:/<name>/latest or"
        + " models:/<name>@<alias>.");
  }

  @Override
  public String toString() {
    if (alias != null) {
      return SCHEME + name + "@" + alias;
    }
    return SCHEME + name + "/" + (version != null ? version.toString()
        : stage != null ? stage.displayName() : "latest");
  }
}
