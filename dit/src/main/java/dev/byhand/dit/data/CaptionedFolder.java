package dev.byhand.dit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A user's clips: a folder holding GIFs or folders of PNG frames, and a {@code captions.jsonl} with
 * one line per clip: {@code {"file": "ball.gif", "caption": "a red ball moving left"}}. All clips
 * must share one size. Errors name the file and line.
 */
public final class CaptionedFolder {
  /** The name of the captions file inside the folder. */
  public static final String CAPTIONS = "captions.jsonl";

  /** One clip and its caption. */
  public record Item(Path file, Video video, String caption) {}

  private CaptionedFolder() {}

  /**
   * Reads every clip listed in {@code folder/captions.jsonl}.
   *
   * @throws IllegalArgumentException for a missing or malformed captions file, a listed file that
   *     is missing, a clip of another size than the first, or a clip with no caption
   * @throws UncheckedIOException naming a file that cannot be read
   */
  public static List<Item> read(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("folder: " + folder + " is not a directory");
    }
    Path captions = folder.resolve(CAPTIONS);
    if (!Files.isRegularFile(captions)) {
      throw new IllegalArgumentException(
          "folder: "
              + folder
              + " has no "
              + CAPTIONS
              + " (one line per clip: {\"file\": \"clip.gif\", \"caption\": \"...\"})");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(captions);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + captions, e);
    }
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = captions + " line " + (i + 1);
      Object parsed;
      try {
        parsed = Json.parse(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (!(parsed instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException(where + ": expected a JSON object");
      }
      if (!(map.get("file") instanceof String name) || name.isBlank()) {
        throw new IllegalArgumentException(where + ": missing \"file\"");
      }
      if (!(map.get("caption") instanceof String caption) || caption.isBlank()) {
        throw new IllegalArgumentException(where + ": missing caption for " + name);
      }
      Path file = folder.resolve(name).normalize();
      if (!file.startsWith(folder.normalize())) {
        throw new IllegalArgumentException(where + ": file " + name + " is outside the folder");
      }
      Video video;
      if (Files.isDirectory(file)) {
        video = VideoIO.readPngFrames(file);
      } else if (Files.isRegularFile(file)) {
        video = VideoIO.readGif(file);
      } else {
        throw new IllegalArgumentException(where + ": file " + name + " does not exist");
      }
      if (!items.isEmpty() && !items.get(0).video().sameSize(video)) {
        throw new IllegalArgumentException(
            where
                + ": "
                + name
                + " is "
                + video.sizeString()
                + " but "
                + items.get(0).file().getFileName()
                + " is "
                + items.get(0).video().sizeString()
                + "; all clips must share one size");
      }
      items.add(new Item(file, video, caption));
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException(captions + ": lists no clips");
    }
    return items;
  }
}
