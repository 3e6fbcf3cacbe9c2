extension ConfigKey {
  /// Every key, in the order of DESIGN §5: the order of the form, the saved YAML and run names.
  public static let all: [ConfigKey] = [
    task, baseModel, hiddenSizes, resetHead, seed, trainSamples, valFraction, learningRate,
    batchSize, epochs, optimizer, momentum, weightDecay, dropout, labelSmoothing, gradClip,
    schedule, warmupEpochs, minLRRatio, stepSize, gamma, earlyStoppingPatience, minDelta, monitor,
    frozen, unfreezeEvery, layerLRDecay, gradAccumSteps, evalEverySteps, maxSeqLen, pooling, normalize,
    valTask, testTask, classWeights, method, loraRank, loraAlpha, loraDropout, loraTargets,
  ]

  // Epoch-like counts share one generous cap so a typo such as 1e9 is caught, not run for a week.
  private static let epochCap = ConfigRange.closed(0, 100_000)

  public static let task = ConfigKey(
    name: "task", help: "thick-digits, inverted-digits, or the path of a CSV file",
    kind: .text, range: nil, length: nil, increment: 0, abbreviation: "task",
    binding: .text(\.task))
  public static let baseModel = ConfigKey(
    name: "base_model",
    help: "builtin (the shipped pretrained MLP), none (from scratch), or a .safetensors path",
    kind: .text, range: nil, length: nil, increment: 0, abbreviation: "base",
    binding: .text(\.baseModel))
  public static let hiddenSizes = ConfigKey(
    name: "hidden_sizes", help: "widths of the hidden layers, input side first",
    kind: .integerList, range: .closed(1, 4096), length: 1...8, increment: 0, abbreviation: "h",
    binding: .integers(\.hiddenSizes))
  public static let resetHead = ConfigKey(
    name: "reset_head", help: "replace the pretrained output layer with a freshly initialised one",
    kind: .flag, range: nil, length: nil, increment: 0, abbreviation: "newhead",
    binding: .flag(\.resetHead))
  public static let seed = ConfigKey(
    name: "seed", help: "random seed for initialisation, the data split and shuffling",
    kind: .count, range: .closed(0, 2_147_483_647), length: nil, increment: 1, abbreviation: "s",
    binding: .count(\.seed))
  public static let trainSamples = ConfigKey(
    name: "train_samples",
    help: "labelled samples of the task to fine-tune on, or all (a CSV file's default)",
    kind: .count, range: .closed(1, 1_000_000), length: nil, increment: 1, abbreviation: "n",
    binding: .count(\.trainSamples))
  public static let valFraction = ConfigKey(
    name: "val_fraction", help: "fraction of the samples held out for validation",
    kind: .real, range: .openClosed(0, 0.9), length: nil,
    increment: 0.05, abbreviation: "vf", binding: .real(\.valFraction))
  public static let learningRate = ConfigKey(
    name: "learning_rate", help: "peak learning rate (of the head when layer_lr_decay < 1)",
    kind: .rate, range: .openClosed(0, 10), length: nil,
    increment: 1e-7, abbreviation: "lr", binding: .real(\.learningRate))
  public static let batchSize = ConfigKey(
    name: "batch_size", help: "samples per gradient step",
    kind: .count, range: .closed(1, 4096), length: nil, increment: 1, abbreviation: "bs",
    binding: .count(\.batchSize))
  public static let epochs = ConfigKey(
    name: "epochs", help: "passes over the training samples; 0 only evaluates the model",
    kind: .count, range: epochCap, length: nil, increment: 1, abbreviation: "ep",
    binding: .count(\.epochs))
  public static let optimizer = ConfigKey(
    name: "optimizer", help: "sgd, nesterov (SGD with Nesterov momentum), adam, or adamw (decoupled decay)",
    kind: .choice(OptimizerKind.allCases.map(\.rawValue)), range: nil, length: nil, increment: 0,
    abbreviation: "opt", binding: .optimizer)
  public static let momentum = ConfigKey(
    name: "momentum", help: "momentum of sgd and nesterov; adam and adamw ignore it",
    kind: .real, range: .closedOpen(0, 1), length: nil,
    increment: 0.01, abbreviation: "mom", binding: .real(\.momentum))
  public static let weightDecay = ConfigKey(
    name: "weight_decay", help: "pull of the weights towards zero (decoupled for adamw); 0 turns it off",
    kind: .rate, range: .closed(0, 1), length: nil, increment: 1e-5, abbreviation: "wd",
    binding: .real(\.weightDecay))
  public static let dropout = ConfigKey(
    name: "dropout", help: "probability of zeroing each hidden activation while training",
    kind: .real, range: .closedOpen(0, 1), length: nil,
    increment: 0.05, abbreviation: "do", binding: .real(\.dropout))
  public static let labelSmoothing = ConfigKey(
    name: "label_smoothing", help: "share of the target probability spread over the other classes",
    kind: .real, range: .closedOpen(0, 1), length: nil,
    increment: 0.05, abbreviation: "ls", binding: .real(\.labelSmoothing))
  public static let gradClip = ConfigKey(
    name: "grad_clip", help: "maximum global gradient norm; 0 turns clipping off",
    kind: .rate, range: .closed(0, 1000), length: nil, increment: 0.1, abbreviation: "gc",
    binding: .real(\.gradClip))
  public static let schedule = ConfigKey(
    name: "schedule", help: "how the learning rate changes after the warmup",
    kind: .choice(ScheduleKind.allCases.map(\.rawValue)), range: nil, length: nil, increment: 0,
    abbreviation: "sched", binding: .schedule)
  public static let warmupEpochs = ConfigKey(
    name: "warmup_epochs", help: "epochs of linear warmup from 0 to learning_rate",
    kind: .count, range: epochCap, length: nil, increment: 1, abbreviation: "wu",
    binding: .count(\.warmupEpochs))
  public static let minLRRatio = ConfigKey(
    name: "min_lr_ratio", help: "where decaying schedules bottom out, as a fraction of learning_rate",
    kind: .rate, range: .closed(0, 1), length: nil, increment: 1e-4, abbreviation: "mlr",
    binding: .real(\.minLRRatio))
  public static let stepSize = ConfigKey(
    name: "step_size", help: "epochs between decays of step; patience (evaluations) of plateau",
    kind: .count, range: .closed(1, 100_000), length: nil, increment: 1, abbreviation: "ss",
    binding: .count(\.stepSize))
  public static let gamma = ConfigKey(
    name: "gamma", help: "decay factor of the step, exponential and plateau schedules",
    kind: .real, range: .openClosed(0, 1), length: nil,
    increment: 0.05, abbreviation: "g", binding: .real(\.gamma))
  public static let earlyStoppingPatience = ConfigKey(
    name: "early_stopping_patience", help: "evaluations without improvement before stopping; 0 turns it off",
    kind: .count, range: epochCap, length: nil, increment: 1, abbreviation: "pat",
    binding: .count(\.earlyStoppingPatience))
  public static let minDelta = ConfigKey(
    name: "min_delta", help: "smallest fall in validation loss that counts as an improvement",
    kind: .rate, range: .atLeast(0), length: nil, increment: 1e-4,
    abbreviation: "md", binding: .real(\.minDelta))
  public static let monitor = ConfigKey(
    name: "monitor", help: "what early stopping and the best checkpoint follow",
    kind: .choice(MonitoredMetric.allCases.map(\.rawValue)), range: nil, length: nil, increment: 0,
    abbreviation: "mon", binding: .monitor)
  public static let frozen = ConfigKey(
    name: "frozen", help: "layer groups whose weights stay fixed, e.g. hidden1, hidden2",
    kind: .nameList, range: nil, length: nil, increment: 0, abbreviation: "frz",
    binding: .names(\.frozen))
  public static let unfreezeEvery = ConfigKey(
    name: "unfreeze_every", help: "unfreeze one more group, top down, every this many epochs; 0 = never",
    kind: .count, range: epochCap, length: nil, increment: 1, abbreviation: "uf",
    binding: .count(\.unfreezeEvery))
  public static let layerLRDecay = ConfigKey(
    name: "layer_lr_decay", help: "LR multiplier from each group to the one below it; the head gets 1",
    kind: .real, range: .openClosed(0, 1), length: nil,
    increment: 0.05, abbreviation: "lld", binding: .real(\.layerLRDecay))
  public static let gradAccumSteps = ConfigKey(
    name: "grad_accum_steps",
    help: "batches summed into one optimizer step: effective batch = batch_size × this; 1 = off",
    kind: .count, range: .closed(1, 1024), length: nil, increment: 1, abbreviation: "ga",
    binding: .count(\.gradAccumSteps))
  public static let evalEverySteps = ConfigKey(
    name: "eval_every_steps",
    help: "also validate every this many optimizer steps, not only at each epoch's end; 0 = per epoch",
    kind: .count, range: .closed(0, 1_000_000), length: nil, increment: 1, abbreviation: "ev",
    binding: .count(\.evalEverySteps))
  public static let maxSeqLen = ConfigKey(
    name: "max_seq_len",
    help: "text tasks: tokens per sequence, longer texts truncated; ≤ the model's positions",
    kind: .count, range: .closed(2, 8192), length: nil, increment: 1, abbreviation: "len",
    binding: .count(\.maxSeqLen))
  public static let pooling = ConfigKey(
    name: "pooling", help: "text tasks: mean of the token states, or cls (the first token's state)",
    kind: .choice(["mean", "cls"]), range: nil, length: nil, increment: 0, abbreviation: "pool",
    binding: .text(\.pooling))
  public static let normalize = ConfigKey(
    name: "normalize",
    help: "scaling of a CSV task's features; auto: standard from scratch, a base model's own",
    kind: .choice(["auto"] + Normalization.allCases.map(\.rawValue)), range: nil, length: nil, increment: 0,
    abbreviation: "norm", binding: .text(\.normalize))
  public static let valTask = ConfigKey(
    name: "val_task", help: "a CSV file with the task's columns used as the validation set, or none",
    kind: .text, range: nil, length: nil, increment: 0, abbreviation: "val",
    binding: .text(\.valTask))
  public static let testTask = ConfigKey(
    name: "test_task", help: "a CSV file with the task's columns used as the test set, or none",
    kind: .text, range: nil, length: nil, increment: 0, abbreviation: "test",
    binding: .text(\.testTask))
  public static let classWeights = ConfigKey(
    name: "class_weights", help: "balanced weighs each class's loss by its rarity; none weighs all alike",
    kind: .choice(["none", "balanced"]), range: nil, length: nil, increment: 0, abbreviation: "cw",
    binding: .text(\.classWeights))
  public static let method = ConfigKey(
    name: "method",
    help: "text models: full (every weight trains) or lora (low-rank adapters train, base weights fixed)",
    kind: .choice(["full", "lora"]), range: nil, length: nil, increment: 0, abbreviation: "meth",
    binding: .text(\.method))
  public static let loraRank = ConfigKey(
    name: "lora_rank", help: "method lora: rank r of each adapter (A is r × in, B is out × r)",
    kind: .count, range: .closed(1, 1024), length: nil, increment: 1, abbreviation: "r",
    binding: .count(\.loraRank))
  public static let loraAlpha = ConfigKey(
    name: "lora_alpha", help: "method lora: the adapters' update is scaled by lora_alpha / lora_rank",
    kind: .real, range: .openClosed(0, 10_000), length: nil, increment: 1, abbreviation: "la",
    binding: .real(\.loraAlpha))
  public static let loraDropout = ConfigKey(
    name: "lora_dropout", help: "method lora: dropout on each adapter's input while training",
    kind: .real, range: .closedOpen(0, 1), length: nil, increment: 0.05, abbreviation: "ldo",
    binding: .real(\.loraDropout))
  public static let loraTargets = ConfigKey(
    name: "lora_targets", help: "method lora: the projections of every block that get adapters",
    kind: .nameList, range: nil, length: 1...LoRATarget.allCases.count, increment: 0, abbreviation: "lt",
    binding: .names(\.loraTargets))
}
