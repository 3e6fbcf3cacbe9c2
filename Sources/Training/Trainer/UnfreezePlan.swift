/// When each layer group becomes trainable under gradual unfreezing (ULMFiT's schedule).
///
/// With `unfreeze_every: k` only the head trains at first, and every k epochs one more group,
/// from the top down, is unfrozen. Groups listed in `frozen` are pinned: the schedule never
/// unfreezes them. Without gradual unfreezing, groups in `frozen` stay frozen and the rest train.
public struct UnfreezePlan: Equatable, Sendable {
  /// The epoch (counted from 1) at whose start each group becomes trainable; 1 means from the
  /// start, nil means never.
  public let unfreezeEpoch: [String: Int?]

  public init(groups: [String], frozen: [String], every: Int) {
    var plan: [String: Int?] = [:]
    let pinned = Set(frozen)
    var wave = 0
    for group in groups.reversed() {
      if pinned.contains(group) {
        plan[group] = .some(nil)
      } else if every <= 0 {
        plan[group] = 1
      } else {
        plan[group] = 1 + wave * every
        wave += 1
      }
    }
    unfreezeEpoch = plan
  }

  /// Groups frozen at the start of `epoch`.
  public func frozenGroups(atEpoch epoch: Int) -> Set<String> {
    Set(
      unfreezeEpoch.compactMap { group, start in
        guard let start else { return group }
        return epoch >= start ? nil : group
      })
  }

  /// Groups that the schedule unfreezes exactly at the start of `epoch` (after the first).
  public func groupsUnfrozen(atEpoch epoch: Int) -> [String] {
    unfreezeEpoch.compactMap { group, start in start == epoch && epoch > 1 ? group : nil }.sorted()
  }
}

extension UnfreezePlan {
  /// A plan given group by group, used once the user has overridden the schedule for a group.
  public init(explicit plan: [String: Int?]) {
    unfreezeEpoch = plan
  }
}
