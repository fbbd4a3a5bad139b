package dev.slipway.app.internal;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --url} option's value, checked when the command line is read: a Slipway server's
 * address, http or https with a host ({@code http://127.0.0.1:8080}). HTTP clients take
 * anything else for a programming error and throw.
 */
public final class ServerUrl implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    try {
      URI uri = new URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null) {
        return value;
      }
    } catch (URISyntaxException e) {
      // Said below, with the form expected.
    }
    throw new TypeConversionException("'" + value
        + "' is not a server URL (expected http://HOST:PORT, e.g. http://127.0.0.1:8080)");
  }
}
