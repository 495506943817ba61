package dev.byhand.dit.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Node;

/**
 * Reads and writes clips as animated GIFs and as folders of PNG frames, through {@code
 * javax.imageio}. Pixels map to [-1, 1] by {@code v / 127.5 - 1} and back by rounding.
 */
public final class VideoIO {
  private static final String GIF_METADATA = "javax_imageio_gif_image_1.0";

  private VideoIO() {}

  /** One frame as an RGB image (grey clips are repeated over R, G and B). */
  public static BufferedImage frame(Video video, int frame) {
    if (frame < 0 || frame >= video.frames()) {
      throw new IllegalArgumentException(
          "frame: " + frame + " is outside 0.." + (video.frames() - 1));
    }
    BufferedImage image =
        new BufferedImage(video.width(), video.height(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < video.height(); y++) {
      for (int x = 0; x < video.width(); x++) {
        int r = toByte(video.get(frame, y, x, 0));
        int g = video.channels() >= 3 ? toByte(video.get(frame, y, x, 1)) : r;
        int b = video.channels() >= 3 ? toByte(video.get(frame, y, x, 2)) : r;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  /** Builds an RGB clip from same-sized frames. */
  public static Video fromFrames(List<BufferedImage> frames) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("frames: need at least one frame");
    }
    int width = frames.get(0).getWidth();
    int height = frames.get(0).getHeight();
    Video video = Video.zeros(frames.size(), height, width, 3);
    for (int f = 0; f < frames.size(); f++) {
      BufferedImage image = frames.get(f);
      if (image.getWidth() != width || image.getHeight() != height) {
        throw new IllegalArgumentException(
            "frames: frame "
                + f
                + " is "
                + image.getWidth()
                + "×"
                + image.getHeight()
                + ", frame 0 is "
                + width
                + "×"
                + height);
      }
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int rgb = image.getRGB(x, y);
          video.set(f, y, x, 0, fromByte((rgb >> 16) & 0xFF));
          video.set(f, y, x, 1, fromByte((rgb >> 8) & 0xFF));
          video.set(f, y, x, 2, fromByte(rgb & 0xFF));
        }
      }
    }
    return video;
  }

  /**
   * Writes a looping animated GIF.
   *
   * @param frameDelayMillis time each frame shows, rounded to 10 ms as GIF stores it
   */
  public static void writeGif(Video video, Path file, int frameDelayMillis) {
    if (frameDelayMillis < 10) {
      throw new IllegalArgumentException(
          "frameDelayMillis: must be at least 10, got " + frameDelayMillis);
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (int f = 0; f < video.frames(); f++) {
        BufferedImage image = frame(video, f);
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata =
            writer.getDefaultImageMetadata(
                ImageTypeSpecifier.createFromRenderedImage(image), param);
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(GIF_METADATA);
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(frameDelayMillis / 10));
        control.setAttribute("transparentColorIndex", "0");
        if (f == 0) {
          // The NETSCAPE2.0 extension with a loop count of 0 makes viewers repeat forever.
          IIOMetadataNode app = child(child(root, "ApplicationExtensions"), "ApplicationExtension");
          app.setAttribute("applicationID", "NETSCAPE");
          app.setAttribute("authenticationCode", "2.0");
          app.setUserObject(new byte[] {1, 0, 0});
        }
        metadata.setFromTree(GIF_METADATA, root);
        writer.writeToSequence(new IIOImage(image, null, metadata), param);
      }
      writer.endWriteSequence();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write GIF " + file, e);
    } finally {
      writer.dispose();
    }
  }

  /**
   * Reads an animated GIF, compositing each frame over the previous one as GIF players do.
   *
   * @throws UncheckedIOException naming the file if it is not a readable GIF
   */
  public static Video readGif(Path file) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("gif");
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(Files.newInputStream(file))) {
      reader.setInput(in, false);
      int count = reader.getNumImages(true);
      if (count < 1) {
        throw new IOException("no frames");
      }
      List<BufferedImage> frames = new ArrayList<>();
      BufferedImage canvas = null;
      for (int i = 0; i < count; i++) {
        BufferedImage part = reader.read(i);
        int left = 0;
        int top = 0;
        IIOMetadata metadata = reader.getImageMetadata(i);
        Node descriptor = find(metadata.getAsTree(GIF_METADATA), "ImageDescriptor");
        if (descriptor != null) {
          left = Integer.parseInt(attribute(descriptor, "imageLeftPosition", "0"));
          top = Integer.parseInt(attribute(descriptor, "imageTopPosition", "0"));
        }
        if (canvas == null) {
          canvas =
              new BufferedImage(
                  left + part.getWidth(), top + part.getHeight(), BufferedImage.TYPE_INT_RGB);
        }
        BufferedImage next =
            new BufferedImage(canvas.getWidth(), canvas.getHeight(), BufferedImage.TYPE_INT_RGB);
        next.getGraphics().drawImage(canvas, 0, 0, null);
        next.getGraphics().drawImage(part, left, top, null);
        frames.add(next);
        canvas = next;
      }
      return fromFrames(frames);
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          "cannot read GIF " + file + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    } finally {
      reader.dispose();
    }
  }

  /** Writes {@code frame_000.png}, {@code frame_001.png}, … into {@code folder} (created). */
  public static void writePngFrames(Video video, Path folder) {
    try {
      Files.createDirectories(folder);
      for (int f = 0; f < video.frames(); f++) {
        Path file = folder.resolve(String.format("frame_%03d.png", f));
        if (!ImageIO.write(frame(video, f), "png", file.toFile())) {
          throw new IOException("no PNG writer");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write frames to " + folder, e);
    }
  }

  /**
   * Reads every {@code *.png} in {@code folder}, in name order, as the frames of one clip.
   *
   * @throws UncheckedIOException naming the folder or file that cannot be read
   * @throws IllegalArgumentException if the frames differ in size
   */
  public static Video readPngFrames(Path folder) {
    List<Path> files;
    try (Stream<Path> list = Files.list(folder)) {
      files =
          list.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".png"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list frames in " + folder, e);
    }
    if (files.isEmpty()) {
      throw new UncheckedIOException(new IOException("no .png frames in " + folder));
    }
    List<BufferedImage> frames = new ArrayList<>();
    for (Path file : files) {
      try {
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
          throw new IOException("not a PNG image");
        }
        frames.add(image);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read frame " + file + ": " + e.getMessage(), e);
      }
    }
    try {
      return fromFrames(frames);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(folder + ": " + e.getMessage(), e);
    }
  }

  /** A contact sheet: the frames side by side, each scaled by {@code zoom}. */
  public static BufferedImage contactSheet(Video video, int zoom) {
    if (zoom < 1) {
      throw new IllegalArgumentException("zoom: must be at least 1, got " + zoom);
    }
    int w = video.width() * zoom;
    int h = video.height() * zoom;
    BufferedImage sheet = new BufferedImage(w * video.frames(), h, BufferedImage.TYPE_INT_RGB);
    for (int f = 0; f < video.frames(); f++) {
      sheet.getGraphics().drawImage(frame(video, f), f * w, 0, w, h, null);
    }
    return sheet;
  }

  static int toByte(float v) {
    int b = Math.round((v + 1f) * 127.5f);
    return Math.max(0, Math.min(255, b));
  }

  static float fromByte(int b) {
    return b / 127.5f - 1f;
  }

  private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
    for (int i = 0; i < parent.getLength(); i++) {
      if (parent.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) parent.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    parent.appendChild(node);
    return node;
  }

  private static Node find(Node node, String name) {
    if (node.getNodeName().equals(name)) {
      return node;
    }
    for (Node c = node.getFirstChild(); c != null; c = c.getNextSibling()) {
      Node found = find(c, name);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static String attribute(Node node, String name, String fallback) {
    Node a = node.getAttributes().getNamedItem(name);
    return a == null ? fallback : a.getNodeValue();
  }
}
