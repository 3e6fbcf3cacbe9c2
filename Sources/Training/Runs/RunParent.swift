/// The run a fork started from: its directory name and the epoch whose weights it took.
public struct RunParent: Sendable, Equatable, Codable {
  public var run: String
  public var epoch: Int
  /// The parent's step at `epoch`, so a compare chart on a step axis can start the fork there.
  public var step: Int

  public init(run: String, epoch: Int, step: Int = 0) {
    self.run = run
    self.epoch = epoch
    self.step = step
  }

  /// The comment line at the top of a fork's `config.yaml`; a comment keeps the file loadable as a
  /// plain config, and `base_model` already points at the parent's checkpoint.
  public var configComment: String { "# forked from \(run) at epoch \(epoch) (step \(step))\n" }
}
