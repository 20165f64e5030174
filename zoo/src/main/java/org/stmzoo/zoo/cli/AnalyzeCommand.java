package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.AnalysisData;
import org.stmzoo.zoo.api.AnalysisSpec;
import org.stmzoo.zoo.api.Analyses;
import org.stmzoo.zoo.analysis.Erf;
import org.stmzoo.zoo.analysis.Invariance;
import org.stmzoo.zoo.analysis.Report;
import org.stmzoo.zoo.analysis.Robustness;

/**
 * {@code ./stmzoo analyze erf|invariance|robustness|report}: the STM analyses (effective receptive field,
 * invariance to translation/rotation/scale, adversarial robustness) and a side-by-side report. Parses the flags
 * into an {@link AnalysisSpec} and the analysis's settings ({@link Erf.Spec}, {@link Invariance.Spec},
 * {@link Robustness.Spec}, {@link Report.Spec}) and calls {@link Analyses}.
 */
final class AnalyzeCommand implements Command {
  private static final List<String> ANALYSES = List.of("erf", "invariance", "robustness", "report");
  /** The report's --images default, for its invariance and robustness analyses alike (the ERF: at most 50). */
  static final int REPORT_IMAGES = 100;
  private final Map<String, String> env;

  AnalyzeCommand() {
    this(System.getenv());
  }

  AnalyzeCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "analyze";
  }

  @Override
  public String summary() {
    return "STM analyses of a model: effective receptive field, invariance, adversarial robustness, or a report of all";
  }

  @Override
  public String positional() {
    return "erf|invariance|robustness|report";
  }

  @Override
  public Options options() {
    return AnalysisArguments.add(new Options())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S")
            .desc("erf: the size the model is built at and the images resized to (default 1024)").build())
        .addOption(Option.builder().longOpt("stage").hasArg().argName("K").desc("erf: the stage to score (default: the last)").build())
        .addOption(Option.builder().longOpt("type").hasArg().argName("T")
            .desc("invariance: translation, pre-rotation, post-rotation or scale (report: all four)").build())
        .addOption(CliArgs.cropPctOption("the weights' evaluation crop"))
        .addOption(Option.builder().longOpt("attack").hasArg().argName("A").desc("robustness: fgsm or pgd (report: both)").build())
        .addOption(Option.builder().longOpt("eps").hasArg().argName("E1,E2,...")
            .desc("robustness: L-inf radii in pixel units, numbers or fractions such as 2/255 (default 1/255,2/255,4/255)").build())
        .addOption(Option.builder().longOpt("steps").hasArg().argName("N").desc("robustness: PGD steps (default 10)").build())
        .addOption(Option.builder().longOpt("step-size").hasArg().argName("A").desc("robustness: PGD step (default eps/4)").build())
        .addOption(Option.builder().longOpt("random-start").desc("robustness: PGD starts from a uniform draw in the ball").build())
        .addOption(Option.builder().longOpt("save-examples").hasArg().argName("N")
            .desc("robustness: original/adversarial/difference PNGs at the largest eps (default 0; report 2)").build())
        .addOption(Option.builder().longOpt("erf-images").hasArg().argName("N").desc("report: images for the ERF (default --images, at most 50)").build());
  }

  /** One analysis with its flags parsed into its settings: runs the API's analysis on the models and data. */
  @FunctionalInterface
  private interface Analysis {
    void run(AnalysisSpec spec) throws Exception;
  }

  @Override
  public int run(CommandLine line) throws Exception {
    List<String> args = line.getArgList();
    if (args.size() != 1 || !ANALYSES.contains(args.get(0))) {
      throw new UsageException(args.isEmpty() ? "name the analysis: " + String.join(", ", ANALYSES)
          : "unknown analysis '" + String.join(" ", args) + "' (" + String.join(", ", ANALYSES) + ")");
    }
    String name = args.get(0);
    // every flag checked, and the analysis's spec built, before the data is read or any weights are fetched
    Analysis analysis = analysis(name, line);
    Path output = AnalysisArguments.output(line, "analysis/" + name); // the analysis checks it before anything
    AnalysisData data = AnalysisArguments.data(line);
    // Analyses.robustness and .report (whose attacks are never none) refuse it too, in the API's words; here in
    // the flags', as a usage error
    if ((name.equals("robustness") || name.equals("report")) && data instanceof AnalysisData.Npy npy
        && npy.labels() == null) {
      throw new UsageException("the attacks need labels: give --labels LABELS.npy with --npy");
    }
    AnalysisSpec spec = new AnalysisSpec(AnalysisArguments.models(line, env), data, output,
        AnalysisArguments.randomInitClasses(line), true);
    long start = System.nanoTime();
    analysis.run(spec);
    // the API reads the data and fetches the weights in the same call: the time says it covers them
    System.out.printf(Locale.ROOT, "Wrote %s (%.0f s, reading the data and fetching the weights included)%n",
        output.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** The analysis {@code name} with its spec from the flags; a flag it would ignore is a usage error. */
  private static Analysis analysis(String name, CommandLine line) {
    boolean report = name.equals("report");
    boolean erf = name.equals("erf") || report;
    boolean invariance = name.equals("invariance") || report;
    boolean robustness = name.equals("robustness") || report;
    CliArgs.appliesOnlyTo(line, "analyze erf and report", erf, "image-size", "stage");
    CliArgs.appliesOnlyTo(line, "analyze invariance and report", invariance, "type");
    CliArgs.appliesOnlyTo(line, "analyze robustness and report", robustness, "attack", "eps", "steps",
        "step-size", "random-start", "save-examples");
    CliArgs.appliesOnlyTo(line, "analyze invariance, robustness and report", invariance || robustness,
        "crop-pct");
    CliArgs.appliesOnlyTo(line, "analyze report", report, "erf-images");
    AnalysisArguments.checkWeightFlags(line);
    Invariance.Type type = line.hasOption("type") ? parse(() -> Invariance.Type.parse(line.getOptionValue("type")))
        : null;
    Robustness.Attack attack = line.hasOption("attack")
        ? parse(() -> Robustness.Attack.parse(line.getOptionValue("attack"))) : null;
    if (name.equals("invariance") && type == null) {
      throw new UsageException("--type is required: translation, pre-rotation, post-rotation or scale");
    }
    if (name.equals("robustness") && attack == null) {
      throw new UsageException("--attack is required: fgsm or pgd");
    }
    // FGSM is one step of size eps from the clean image
    CliArgs.appliesOnlyTo(line, "the PGD attack (--attack pgd, or a report of both attacks)",
        robustness && attack != Robustness.Attack.FGSM, "steps", "step-size", "random-start");
    // the ERF reads the first images; the other analyses draw a sample, and a random initialisation its weights
    CliArgs.appliesOnlyTo(line, "--random-init and analyze invariance, robustness and report",
        line.hasOption("random-init") || invariance || robustness, "seed");
    return switch (name) {
      case "erf" -> {
        Erf.Spec spec = erfSpec(line, CliArgs.positiveInt(line, "images", Erf.Spec.DEFAULT_IMAGES));
        yield analysisSpec -> Analyses.erf(analysisSpec, spec, System.out);
      }
      case "invariance" -> {
        Invariance.Spec spec = invarianceSpec(line, type, CliArgs.positiveInt(line, "images", Integer.MAX_VALUE));
        yield analysisSpec -> Analyses.invariance(analysisSpec, spec, System.out);
      }
      case "robustness" -> {
        Robustness.Spec spec = robustnessSpec(line, attack, 0, CliArgs.positiveInt(line, "images",
            Integer.MAX_VALUE));
        yield analysisSpec -> Analyses.robustness(analysisSpec, spec, System.out);
      }
      default -> {
        Report.Spec spec = reportSpec(line, type, attack);
        yield analysisSpec -> {
          Analyses.report(analysisSpec, spec, System.out);
          System.out.println("Report: " + analysisSpec.output().resolve("report.md").toAbsolutePath()
              + " and report.html");
        };
      }
    };
  }

  /** The report's analyses: one --images (default 100) for invariance and robustness, at most 50 for the ERF. */
  static Report.Spec reportSpec(CommandLine line, Invariance.Type type, Robustness.Attack attack) {
    int images = CliArgs.positiveInt(line, "images", REPORT_IMAGES);
    Erf.Spec erf = erfSpec(line, CliArgs.positiveInt(line, "erf-images", Math.min(images, Erf.Spec.DEFAULT_IMAGES)));
    List<Invariance.Spec> invariance = new ArrayList<>();
    for (Invariance.Type t : type == null ? Arrays.asList(Invariance.Type.values()) : List.of(type)) {
      invariance.add(invarianceSpec(line, t, images));
    }
    List<Robustness.Spec> robustness = new ArrayList<>();
    for (Robustness.Attack a : attack == null ? Arrays.asList(Robustness.Attack.values()) : List.of(attack)) {
      robustness.add(robustnessSpec(line, a, 2, images));
    }
    return new Report.Spec(erf, invariance, robustness);
  }

  private static Erf.Spec erfSpec(CommandLine line, int images) {
    Integer stage = line.hasOption("stage") ? CliArgs.nonNegativeInt(line, "stage", 0) : null;
    // the models named by --model/--models checked now; a checkpoint's or a release's when it is loaded
    List<String> named = line.hasOption("models") ? AnalysisArguments.list(line, "models")
        : line.hasOption("model") ? List.of(line.getOptionValue("model")) : List.of();
    return new Erf.Spec(images, ModelArguments.imageSize(line, Erf.Spec.DEFAULT_SIZE, named), stage,
        CliArgs.positiveInt(line, "batch-size", 1));
  }

  private static Invariance.Spec invarianceSpec(CommandLine line, Invariance.Type type, int images) {
    return new Invariance.Spec(type, images,
        CliArgs.positiveInt(line, "batch-size", 32), AnalysisArguments.seed(line),
        line.hasOption("crop-pct") ? CliArgs.cropPct(line, 0) : null);
  }

  private static Robustness.Spec robustnessSpec(CommandLine line, Robustness.Attack attack, int examples,
      int images) {
    double[] eps = line.hasOption("eps")
        ? AnalysisArguments.list(line, "eps").stream().mapToDouble(AnalyzeCommand::number).toArray()
        : Robustness.Spec.defaultEps();
    Double stepSize = line.hasOption("step-size") ? number(line.getOptionValue("step-size")) : null;
    return parse(() -> new Robustness.Spec(attack, eps, CliArgs.positiveInt(line, "steps", 10), stepSize,
        line.hasOption("random-start"), AnalysisArguments.seed(line),
        images, CliArgs.positiveInt(line, "batch-size", 32),
        line.hasOption("crop-pct") ? CliArgs.cropPct(line, 0) : null,
        CliArgs.nonNegativeInt(line, "save-examples", examples)));
  }

  /** A finite number or a fraction such as {@code 2/255}: NaN, infinities and a division by zero are refused. */
  static double number(String text) {
    double value;
    try {
      int slash = text.indexOf('/');
      value = slash < 0 ? Double.parseDouble(text.trim())
          : Double.parseDouble(text.substring(0, slash).trim()) / Double.parseDouble(text.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!Double.isFinite(value)) {
      throw new UsageException("not a finite number: '" + text + "' (e.g. 0.0157 or 4/255)");
    }
    return value;
  }

  /** Flag values the analyses reject (an unknown type, a bad eps) are usage errors. */
  private static <T> T parse(java.util.function.Supplier<T> value) {
    try {
      return value.get();
    } catch (UsageException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
