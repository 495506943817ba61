package dev.byhand.dit;

import dev.byhand.dit.data.Video;
import dev.byhand.dit.data.VideoIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The plain entry point of {@code byhand video generate}: prompt → clips with a trained model
 * folder, written as looping GIFs, folders of PNG frames and one contact sheet (each clip's frames
 * in a row).
 */
public final class Generate {
  private Generate() {}

  /** Frame time of written GIFs: 8 frames in 1 s. */
  public static final int FRAME_MILLIS = 125;

  /**
   * The GIF shows every pixel as a 4×4 block (32×32 clips become 128×128, big enough to see); the
   * PNG frames beside it keep the model's own size.
   */
  public static final int GIF_ZOOM = 4;

  /**
   * Generates and writes clips, encoding the prompt with all-MiniLM-L6-v2. With {@code count} 1 the
   * GIF is {@code output}; with more, {@code name_0.gif}, {@code name_1.gif}, …; each GIF gets a
   * folder of PNG frames beside it ({@code name_frames/}), and the contact sheet is {@code
   * name.png}.
   *
   * @param output a path ending in {@code .gif}
   * @param out receives sampling progress lines
   * @return each GIF and its frame folder, then the contact sheet
   * @throws IllegalArgumentException for a bad prompt, step count, guidance, count or output name
   */
  public static List<Path> run(
      Path modelDir,
      String prompt,
      Path output,
      int steps,
      double guidance,
      long seed,
      int count,
      PrintStream out) {
    try (TextEmbeddings text = TextEmbeddings.minilm()) {
      return run(modelDir, text, prompt, output, steps, guidance, seed, count, out);
    }
  }

  /**
   * As {@link #run(Path, String, Path, int, double, long, int, PrintStream)}, with a given prompt
   * encoder (the one the model was trained with; not closed here).
   */
  public static List<Path> run(
      Path modelDir,
      TextEmbeddings text,
      String prompt,
      Path output,
      int steps,
      double guidance,
      long seed,
      int count,
      PrintStream out) {
    String name = output.getFileName().toString();
    if (!name.toLowerCase().endsWith(".gif")) {
      throw new IllegalArgumentException("output: must end in .gif, got " + output);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps: must be at least 1, got " + steps);
    }
    String stem = name.substring(0, name.length() - 4);
    Path folder = output.toAbsolutePath().getParent();
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder, e);
    }
    List<Video> videos;
    try (VideoGenerator generator = VideoGenerator.open(modelDir, text)) {
      videos =
          generator.generate(
              prompt,
              steps,
              guidance,
              0.0,
              seed,
              count,
              s -> {
                if (s % 10 == 0 || s == steps) {
                  out.printf("sampling step %d/%d%n", s, steps);
                  out.flush();
                }
              });
    }
    List<Path> written = new ArrayList<>();
    for (int i = 0; i < videos.size(); i++) {
      Path gif = count == 1 ? output : folder.resolve(stem + "_" + i + ".gif");
      VideoIO.writeGif(videos.get(i).upscale(GIF_ZOOM), gif, FRAME_MILLIS);
      written.add(gif);
      Path frames = folder.resolve(gif.getFileName().toString().replace(".gif", "_frames"));
      VideoIO.writePngFrames(videos.get(i), frames);
      written.add(frames);
    }
    Path sheet = folder.resolve(stem + ".png");
    writeSheet(videos, sheet, 4);
    written.add(sheet);
    return written; // the caller says where they are
  }

  /** Writes each clip's frames as one row of a PNG, scaled by {@code zoom}. */
  public static void writeSheet(List<Video> videos, Path file, int zoom) {
    List<BufferedImage> rows = new ArrayList<>();
    for (Video v : videos) {
      rows.add(VideoIO.contactSheet(v, zoom));
    }
    int width = rows.get(0).getWidth();
    int height = 0;
    for (BufferedImage r : rows) {
      height += r.getHeight();
    }
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int y = 0;
    for (BufferedImage r : rows) {
      sheet.getGraphics().drawImage(r, 0, y, null);
      y += r.getHeight();
    }
    try {
      ImageIO.write(sheet, "png", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
