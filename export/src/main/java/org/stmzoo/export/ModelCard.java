package org.stmzoo.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.Preprocessing;

/**
 * {@code stmzoo.json}, written beside {@code saved_model.pb}: what a client needs to know about an exported
 * model without reading the graph. Field names are snake_case in the file.
 *
 * @param format the card's format tag, {@link #FORMAT}
 * @param name stmzoo's model name, e.g. {@code u-convnext-micro}
 * @param reference the reference implementation's name (as in param_counts.tsv)
 * @param parameters trainable parameter count
 * @param inputSize the side of the square input the network was built for
 * @param preprocessing the evaluation preprocessing the graph applies
 * @param classNames the label of every class, by index
 * @param weights where the variables' values came from (random initialisation, a checkpoint, a release)
 * @param trainingSummary the recipe's summary when the weights come from training (null otherwise)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelCard(String format, String name, String reference, long parameters, int inputSize,
    Preprocessing preprocessing, List<String> classNames, String weights, Map<String, Object> trainingSummary) {

  public static final String FORMAT = "stmzoo-savedmodel-1";

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public ModelCard {
    classNames = List.copyOf(classNames);
  }

  public void write(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  public static ModelCard read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no model card at " + file + " (not an stmzoo export?)");
    }
    ModelCard card = JSON.readValue(file.toFile(), ModelCard.class);
    if (!FORMAT.equals(card.format())) {
      throw new IllegalArgumentException(file + " has format '" + card.format() + "', expected " + FORMAT);
    }
    return card;
  }
}
