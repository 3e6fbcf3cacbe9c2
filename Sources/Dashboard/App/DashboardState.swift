import Training

/// Everything the dashboard shows, as one value; it changes only through `Dashboard.reduce`.
public struct DashboardState: Equatable, Sendable {
  /// A box drawn over the panels that takes the keys while it is open.
  public enum Overlay: Equatable, Sendable {
    case help
    case confirmQuit
    /// The y/n question before deleting a run's non-best checkpoints.
    case confirmDelete
  }

  /// The keys a running trainer accepts as hot edits; every other key is locked during a run.
  public static let hotKeys: Set<String> = [
    ConfigKey.learningRate.name, ConfigKey.dropout.name, ConfigKey.weightDecay.name,
  ]

  public var width: Int
  public var height: Int
  public var settings: HyperParameters
  /// Where `w` saves the settings (the `--config` file they came from, or `tunetop.yaml`).
  public var configPath: String
  public var focus: Panel = .hyperparameters
  /// Index into `formKeys` of the focused form row.
  public var formIndex = 0
  /// The first form row shown; kept so the focused row is always visible.
  public var formTop = 0
  public var layerIndex = 0
  /// The first Layers row shown; a BERT-base has 14 groups and the panel shows 9 at 80×24.
  public var layersTop = 0
  /// The text field while a value is being edited.
  public var editor: FieldEditor?
  /// The key whose last input was refused, and why.
  public var formError: (key: String, message: String)?
  public var overlay: Overlay?
  public var model: ModelInfo?
  /// Why the model could not be prepared (bad task path, unreadable checkpoint).
  public var modelError: String?
  /// The current or last run; nil until the first `s`.
  public var run: RunHistory?
  public var logScale = false
  public var smoothing = false
  /// The Accuracy panel shows each class and the confusion matrix, over the Learning-rate panel.
  public var perClassView = false
  /// TensorBoard's default EMA weight.
  public var smoothingWeight = 0.6
  public var message: StatusMessage?
  public var themeName = "default"
  public var themeNames: [String] = ["default"]
  /// Set once `.quit` has been emitted; the loop exits after performing it.
  public var quitting = false
  /// The full-screen view showing; `main` is the panels.
  public var screen: Screen = .main
  public var runs = RunsView()
  /// The name typed for the next run; empty means the automatic short name.
  public var runName = ""
  /// What the editor holds while it is open.
  public var editTarget: EditTarget = .setting
  /// True while the editor holds the run name rather than a setting.
  public var editingRunName: Bool { editor != nil && editTarget == .runName }
  /// True while the runs view's filter is typed.
  public var editingRunsFilter: Bool { editor != nil && editTarget == .runsFilter }
  /// Set by a fork: the next run starts from this run's best weights and records it as its parent.
  public var forkParent: RunParent?
  /// The LR range test shown in the Learning rate panel instead of the schedule, while it is open.
  public var lrFinder: LRFinderView?
  public var search = SearchView()
  /// The run of another process being watched (`tunetop watch`); nil for this process's own runs.
  public var watching: WatchedRun?

  public init(
    settings: HyperParameters, width: Int = 80, height: Int = 24, configPath: String = "tunetop.yaml",
    model: ModelInfo? = nil
  ) {
    self.settings = settings
    self.width = width
    self.height = height
    self.configPath = configPath
    self.model = model
  }

  /// The name the next run gets: the typed one, else a fork's or the settings' short name.
  public var effectiveRunName: String {
    if !runName.isEmpty { return runName }
    if let forkParent { return RunFork.defaultName(settings: settings, parent: forkParent) }
    return settings.shortRunName()
  }

  /// A setting (not the run name) is being edited.
  public var isEditingSetting: Bool { editor != nil && editTarget == .setting }

  /// A run has been asked for and has not finished yet.
  public var isRunActive: Bool { run?.isActive ?? false }

  public var focusedKey: ConfigKey { formKeys[min(formIndex, formKeys.count - 1)] }

  /// A run another trainer writes (PyTorch, Hugging Face, Lightning), watched: tunetop's own
  /// settings mean nothing for it, so the form and the learning-rate panel show only what it reports.
  public var watchesAnotherTrainer: Bool { watching.map { $0.source != "tunetop" } ?? false }

  /// The form's rows: every key, or for another trainer's run only the keys it takes live, since
  /// tunetop's defaults for the rest would pass for that run's settings.
  public var formKeys: [ConfigKey] {
    watchesAnotherTrainer ? ConfigKey.all.filter { DashboardState.hotKeys.contains($0.name) } : ConfigKey.all
  }

  /// Groups as the trainer reports them once running, else from the prepared model.
  public var groups: [String] { run?.start?.groups ?? model?.groups ?? [] }

  /// Why `key` cannot be edited right now, or nil when it can.
  public func lockReason(_ key: ConfigKey) -> String? {
    if watching != nil {
      if !isRunActive { return "read-only: the watched run has ended" }
      if !DashboardState.hotKeys.contains(key.name) {
        return "read-only: the watched run's config; only learning_rate, dropout and weight_decay change live"
      }
      return nil
    }
    guard isRunActive, !DashboardState.hotKeys.contains(key.name) else { return nil }
    return "locked during a run; only learning_rate, dropout and weight_decay change live"
  }

  /// Steps per epoch as the run reports it, else as the prepared data implies.
  public var stepsPerEpoch: Int? {
    run?.start?.stepsPerEpoch ?? model?.stepsPerEpoch(batchSize: settings.samplesPerStep)
  }

  /// The state word for the status bar.
  public var runState: StatusBar.RunState {
    // Without these the bar would say IDLE while both cores train trials or probe rates.
    if search.isRunning { return .searching }
    if lrFinder?.isRunning == true { return .lrTest }
    guard let run else { return .idle }
    switch run.phase {
    case .starting: return .running
    case .active: return run.status == .paused ? .paused : .running
    case .ended:
      switch run.status {
      case .completed: return .finished
      case .earlyStopped: return .earlyStopped
      case .diverged: return .diverged
      // A run that could not save (full disk, lost directory) did not diverge; say so.
      case .failed: return .failed
      default: return .stopped
      }
    }
  }

  /// Whether a group is frozen: live during a run, else as the settings' unfreeze plan starts.
  public func isFrozen(_ group: String) -> Bool {
    if let run, run.isActive, run.start != nil { return run.frozen.contains(group) }
    return unfreezePlan.frozenGroups(atEpoch: 1).contains(group)
  }

  public var unfreezePlan: UnfreezePlan {
    UnfreezePlan(groups: groups, frozen: settings.frozen, every: settings.unfreezeEvery)
  }

  public static func == (lhs: DashboardState, rhs: DashboardState) -> Bool {
    lhs.width == rhs.width && lhs.height == rhs.height && lhs.settings == rhs.settings
      && lhs.configPath == rhs.configPath && lhs.focus == rhs.focus && lhs.formIndex == rhs.formIndex
      && lhs.formTop == rhs.formTop && lhs.layerIndex == rhs.layerIndex
      && lhs.layersTop == rhs.layersTop && lhs.editor == rhs.editor
      && lhs.formError?.key == rhs.formError?.key && lhs.formError?.message == rhs.formError?.message
      && lhs.overlay == rhs.overlay && lhs.model == rhs.model && lhs.modelError == rhs.modelError
      && lhs.run == rhs.run && lhs.logScale == rhs.logScale && lhs.smoothing == rhs.smoothing
      && lhs.message == rhs.message && lhs.themeName == rhs.themeName && lhs.quitting == rhs.quitting
      && lhs.screen == rhs.screen && lhs.runs == rhs.runs && lhs.runName == rhs.runName
      && lhs.editTarget == rhs.editTarget && lhs.forkParent == rhs.forkParent
      && lhs.lrFinder == rhs.lrFinder && lhs.search == rhs.search && lhs.watching == rhs.watching
  }
}

/// The text the dashboard's one line editor is typing into.
public enum EditTarget: Equatable, Sendable {
  case setting, runName, runsFilter
}
