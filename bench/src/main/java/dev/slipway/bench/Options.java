package dev.slipway.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} command-line options. The mains take few options and run from scripts, so
 * a tiny parser that refuses unknown names (a typo must not silently fall back to a default)
 * beats another dependency.
 */
final class Options {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final String usage;

  private Options(String usage) {
    this.usage = usage;
  }

  static Options parse(String[] args, Set<String> known, String usage) {
    Options options = new Options(usage);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage);
        System.exit(0);
      }
      if (!arg.startsWith("--")) {
        throw options.fail("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int equals = name.indexOf('=');
      if (equals >= 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw options.fail("--" + name + " needs a value");
      }
      if (!known.contains(name)) {
        throw options.fail("unknown option --" + name);
      }
      options.values.put(name, value);
    }
    return options;
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String required(String name) {
    String value = values.get(name);
    if (value == null) {
      throw fail("--" + name + " is required");
    }
    return value;
  }

  int integer(String name, int fallback) {
    return (int) number(name, fallback);
  }

  long number(String name, long fallback) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw fail("--" + name + ": '" + value + "' is not an integer");
    }
  }

  double decimal(String name, double fallback) {
    String value = values.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw fail("--" + name + ": '" + value + "' is not a number");
    }
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  IllegalArgumentException fail(String message) {
    return new IllegalArgumentException(message + "\n\n" + usage);
  }
}
