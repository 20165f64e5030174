package org.stmzoo.recipes.output;

/**
 * One row of {@code summary.csv}. Accuracies are in percent (timm's convention); evaluation fields are NaN
 * when there is no validation set, or when the epoch's evaluation was skipped (a stop) or failed.
 */
public record EpochRecord(int epoch, double trainLoss, double evalLoss, double evalTop1, double evalTop5, double lr,
    double imagesPerSecond, double epochSeconds) {
  public static final String HEADER = "epoch,train_loss,eval_loss,eval_top1,eval_top5,lr,img_per_s,epoch_seconds";

  public String csv() {
    return String.join(",", Integer.toString(epoch), num(trainLoss), num(evalLoss), num(evalTop1), num(evalTop5),
        num(lr), num(imagesPerSecond), num(epochSeconds));
  }

  public static EpochRecord parse(String line) {
    String[] f = line.split(",");
    if (f.length != 8) {
      throw new IllegalArgumentException("summary.csv row has " + f.length + " fields, expected 8: " + line);
    }
    return new EpochRecord(Integer.parseInt(f[0]), d(f[1]), d(f[2]), d(f[3]), d(f[4]), d(f[5]), d(f[6]), d(f[7]));
  }

  public boolean hasEval() {
    return !Double.isNaN(evalTop1);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  private static double d(String s) {
    return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
  }
}
