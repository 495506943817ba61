package dev.byhand.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of the hostile crash property: opens the database, then runs the write
 * operations of a file written by {@link HostileCodec} from a given index, printing {@code BEGIN i}
 * before each and {@code END i OK} or {@code END i <exception class>} after; when done it waits to
 * be killed (a clean close would checkpoint, and the point is a crash).
 *
 * <p>Usage: {@code HostileCrashWorker DB_FOLDER OPS_FILE FROM}
 */
public final class HostileCrashWorker {

  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args[0]);
    JsonNode root = HostileCodec.parse(Files.readString(Path.of(args[1]), StandardCharsets.UTF_8));
    int from = Integer.parseInt(args[2]);
    HostileOp.Setup setup = HostileCodec.setup(root);
    List<HostileOp> ops = HostileCodec.ops(root);
    PrintStream out = System.out;
    Database db = Database.open(folder);
    Collection c =
        db.find(HostileCrash.COLLECTION)
            .orElseGet(() -> db.create(setup.config(HostileCrash.COLLECTION)));
    c.checkpointBytes(setup.checkpointBytes());
    out.println("READY");
    out.flush();
    for (int i = from; i < ops.size(); i++) {
      out.println("BEGIN " + i);
      out.flush();
      String outcome;
      try {
        HostileWrites.call(c, setup.dimension(), ops.get(i)).run();
        outcome = "OK";
      } catch (Exception | Error e) {
        outcome = e.getClass().getName();
        System.err.println("hostile crash worker: operation " + i + ": " + e);
      }
      out.println("END " + i + " " + outcome);
      out.flush();
    }
    out.println("DONE");
    out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
