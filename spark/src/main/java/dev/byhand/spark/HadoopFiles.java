package dev.byhand.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The Hadoop file system as the jobs use it: a configuration that travels to the executors, and
 * whole small files read and written atomically enough (written beside, then renamed). Every path
 * may be on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}, …).
 */
final class HadoopFiles implements Serializable {

  private static final long serialVersionUID = 1L;

  private transient Configuration conf;

  HadoopFiles(Configuration conf) {
    this.conf = conf;
  }

  Configuration conf() {
    return conf;
  }

  FileSystem fs(Path p) {
    try {
      return p.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach the file system of " + p + ": " + e, e);
    }
  }

  boolean exists(Path p) {
    try {
      return fs(p).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look at " + p + ": " + e, e);
    }
  }

  byte[] read(Path p) {
    try (InputStream in = fs(p).open(p)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e, e);
    }
  }

  /** Writes {@code bytes} to {@code p}, replacing it: written beside it first, then renamed. */
  void write(Path p, byte[] bytes) {
    FileSystem fs = fs(p);
    Path tmp = new Path(p.getParent(), "." + p.getName() + ".tmp-" + System.nanoTime());
    try {
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(bytes);
      }
      if (fs.exists(p) && !fs.delete(p, false)) {
        throw new IOException("cannot replace " + p);
      }
      if (!fs.rename(tmp, p)) {
        throw new IOException("cannot rename " + tmp + " to " + p);
      }
    } catch (IOException e) {
      try {
        fs.delete(tmp, false);
      } catch (IOException ignored) {
        // the next run overwrites it
      }
      throw new UncheckedIOException("cannot write " + p + ": " + e, e);
    }
  }

  void delete(Path p) {
    try {
      fs(p).delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p + ": " + e, e);
    }
  }

  void mkdirs(Path p) {
    try {
      fs(p).mkdirs(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + p + ": " + e, e);
    }
  }

  /** A path made absolute and qualified by its file system ({@code file:/…}, {@code hdfs://…}). */
  String qualified(String path) {
    Path p = new Path(path);
    return fs(p).makeQualified(p).toString();
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    conf.write(new DataOutputStream(out));
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    conf = new Configuration(false);
    conf.readFields(new DataInputStream(in));
  }
}
