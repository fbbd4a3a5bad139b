package dev.slipway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SlipwayCliTest {
  @Test
  void subcommands_areListedUnderTheNamesTheirAnnotationsGive() {
    for (Map.Entry<String, Supplier<Object>> entry
        : SlipwayCli.SUBCOMMANDS.entrySet()) {
      assertThat(new CommandLine(entry.getValue().get()).getCommandName())
          .isEqualTo(entry.getKey());
    }
  }

  @Test
  void noArguments_printsUsageListingEverySubcommand() {
    AppTesting.Result result = AppTesting.run();

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains(SlipwayCli.SUBCOMMANDS.keySet());
  }

  @Test
  void aSubcommandsHelp_isItsOwn() {
    AppTesting.Result result = AppTesting.run("predict", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage: slipway predict", "--model", "--input");
  }

  @Test
  void anUnknownSubcommand_isAUsageErrorWithASuggestion() {
    AppTesting.Result result = AppTesting.run("predcit");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("predcit").contains("predict");
  }
}
