package dev.byhand.cli;

import dev.byhand.embed.EncoderOptions;
import dev.byhand.embed.Encoders;
import dev.byhand.embed.Pooling;
import dev.byhand.embed.TextEncoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code byhand embed}: text in, one JSON array of numbers out per text. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Print the embedding of each TEXT (or of each line of --file) as a JSON array, one per line."
    })
final class EmbedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
  List<String> texts = new ArrayList<>();

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Embed each line of FILE (UTF-8); '-' reads standard input.")
  String file;

  @Option(
      names = "--encoder",
      defaultValue = Encoders.MINILM,
      description =
          "minilm (all-MiniLM-L6-v2), minilm-q (the same, quantised), bge-small (bge-small-en-v1.5,"
              + " quantised), e5-small (e5-small-v2, quantised), each 384 numbers; or seed (the"
              + " 22-word toy, 4). Default: ${DEFAULT-VALUE}.")
  String encoder;

  @Option(
      names = "--query",
      description =
          "Embed the texts as search queries rather than documents (e5-small and bge-small mark"
              + " the two differently; the others embed both alike).")
  boolean query;

  @Option(
      names = "--normalize",
      negatable = true,
      description = "L2-normalise the vector. Default: on, except for seed.")
  Boolean normalize;

  @Option(
      names = "--pooling",
      description =
          "mean (average of the token vectors) or cls (the first token's). Default: as the model"
              + " was trained (cls for bge-small, mean for the others).")
  String pooling;

  @Option(
      names = "--long-text",
      defaultValue = "truncate",
      description =
          "truncate (keep the model's window: 256 word pieces for minilm, 512 for bge-small and"
              + " e5-small) or windows (average window-sized parts). Default: ${DEFAULT-VALUE}.")
  String longText;

  @Override
  public Integer call() {
    List<String> all = new ArrayList<>(texts);
    if (file != null) {
      all.addAll(readLines(file));
    }
    if (all.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "text: give at least one TEXT to embed, or --file FILE");
    }
    EncoderOptions options = EncoderOptions.defaults(checkedEncoder());
    if (pooling != null) {
      options = options.withPooling(Pooling.parse(pooling));
    }
    if (normalize != null) {
      options = options.withNormalize(normalize);
    }
    options = options.withLongText(parseLongText(longText));
    PrintWriter out = spec.commandLine().getOut();
    try (TextEncoder enc = Encoders.open(encoder, options)) {
      for (float[] v : query ? enc.embedQueries(all) : enc.embedDocuments(all)) {
        out.println(Json.array(v));
      }
    }
    return Main.OK;
  }

  private String checkedEncoder() {
    if (!Encoders.NAMES.contains(encoder)) {
      throw new ParameterException(
          spec.commandLine(),
          "encoder: unknown '"
              + encoder
              + "'; known encoders: "
              + String.join(", ", Encoders.NAMES));
    }
    return encoder;
  }

  private EncoderOptions.LongText parseLongText(String s) {
    for (EncoderOptions.LongText l : EncoderOptions.LongText.values()) {
      if (l.name().equalsIgnoreCase(s)) {
        return l;
      }
    }
    throw new ParameterException(
        spec.commandLine(), "long-text: unknown '" + s + "'; expected truncate or windows");
  }

  private static List<String> readLines(String file) {
    try {
      if ("-".equals(file)) {
        BufferedReader r =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
        return lines;
      }
      Path p = Path.of(file);
      if (Files.isDirectory(p)) {
        throw new IllegalArgumentException("file: " + file + " is a folder, not a text file");
      }
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IllegalArgumentException("file: " + file + " is not UTF-8 text");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
