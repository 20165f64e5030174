package org.stmzoo.recipes.output;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * A TensorBoard event file ({@code events.out.tfevents.SECONDS.HOST}) of scalar summaries. Each record is
 * TFRecord-framed: little-endian uint64 length, masked CRC-32C of the length, the serialised {@code Event}
 * proto, masked CRC-32C of the data. The first event carries the file version TensorBoard checks.
 */
public final class EventFileWriter implements AutoCloseable {
  private static final int MASK_DELTA = 0xa282ead8;

  private final OutputStream out;
  private final Path file;

  public EventFileWriter(Path folder) throws IOException {
    Files.createDirectories(folder);
    long now = System.currentTimeMillis();
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    // Milliseconds after the dot keep two writers started in the same second apart.
    file = folder.resolve("events.out.tfevents." + now / 1000 + "." + host + "." + now % 1000);
    out = new BufferedOutputStream(Files.newOutputStream(file));
    write(Event.newBuilder().setWallTime(now / 1000.0).setFileVersion("brain.Event:2").build());
    out.flush();
  }

  public Path file() {
    return file;
  }

  /**
   * Writes {@code tag = value} at {@code step} and flushes it to the operating system, so that a killed process
   * loses nothing written and TensorBoard, reading while training runs, sees every point as it comes. (Not an
   * fsync: a power loss may still take the last points. One write call per point: a training run writes two per
   * 10 steps and a few per epoch.)
   */
  public void scalar(String tag, long step, double value) throws IOException {
    Summary summary = Summary.newBuilder()
        .addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value))
        .build();
    write(Event.newBuilder().setWallTime(System.currentTimeMillis() / 1000.0).setStep(step).setSummary(summary)
        .build());
    out.flush();
  }

  /** Frames one record in the buffer; the caller's flush hands it to the OS whole, in one write. */
  private void write(Event event) throws IOException {
    byte[] data = event.toByteArray();
    byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    out.write(length);
    out.write(intLe(maskedCrc(length)));
    out.write(data);
    out.write(intLe(maskedCrc(data)));
  }

  /** TFRecord's masked CRC-32C: rotate right by 15 and add a constant. */
  static int maskedCrc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  private static byte[] intLe(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
