package org.stmzoo.recipes.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;

class EventFileWriterTest {
  @Test
  void aScalarIsOnDiskWholeBeforeTheWriterIsClosed(@TempDir Path dir) throws IOException {
    try (EventFileWriter events = new EventFileWriter(dir)) {
      events.scalar("train/loss", 10, 2.5);
      // what a reader (TensorBoard, or this process killed now) finds in the file
      List<Event> written = readRecords(Files.readAllBytes(events.file()));

      assertThat(written).hasSize(2);
      assertThat(written.get(0).getFileVersion()).isEqualTo("brain.Event:2");
      Event point = written.get(1);
      assertThat(point.getStep()).isEqualTo(10);
      assertThat(point.getSummary().getValue(0).getTag()).isEqualTo("train/loss");
      assertThat(point.getSummary().getValue(0).getSimpleValue()).isEqualTo(2.5f);
    }
  }

  /** TFRecord framing, every CRC checked: a record cut short or altered fails the test. */
  private static List<Event> readRecords(byte[] file) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (in.hasRemaining()) {
      byte[] length = new byte[8];
      in.get(length);
      assertThat(in.getInt()).isEqualTo(EventFileWriter.maskedCrc(length));
      byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
      in.get(data);
      assertThat(in.getInt()).as("CRC of record %d", events.size())
          .isEqualTo(EventFileWriter.maskedCrc(data));
      events.add(Event.parseFrom(data));
    }
    return events;
  }
}
