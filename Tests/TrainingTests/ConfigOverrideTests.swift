import Testing

@testable import Training

@Test func overridesApplyInOrderIncludingLists() throws {
  let parameters = try HyperParameters().applying(overrides: [
    "learning_rate=3e-3", "frozen=hidden1,hidden2", "hidden_sizes=256, 128", "optimizer=sgd",
    "learning_rate=0.01",
  ])
  #expect(parameters.learningRate == 0.01)
  #expect(parameters.frozen == ["hidden1", "hidden2"])
  #expect(parameters.hiddenSizes == [256, 128])
  #expect(parameters.optimizer == .sgd)
  let cleared = try parameters.applying(overrides: ["frozen="])
  #expect(cleared.frozen == [])
  #expect(try HyperParameters().applying(overrides: []) == HyperParameters())
  #expect(try HyperParameters().applying(overrides: ["task=a=b.csv"]).task == "a=b.csv")
}

@Test func overrideErrorsNameSet() {
  func message(_ overrides: [String]) -> String? {
    do {
      _ = try HyperParameters().applying(overrides: overrides)
      return nil
    } catch {
      return error.description
    }
  }
  #expect(message(["batch_size=big"]) == "batch_size in --set must be an integer, got \"big\"")
  #expect(message(["learnig_rate=0.1"]) == "unknown key learnig_rate in --set; did you mean learning_rate?")
  #expect(message(["learning_rate"]) == "--set: learning_rate must be written key=value")
  #expect(message(["=3"]) == "--set: =3 must be written key=value")
  #expect(
    message(["hidden_sizes="])
      == "hidden_sizes in --set must be a list of 1 to 8 integers, each in 1…4096, got []")
  #expect(
    message(["epochs=3", "warmup_epochs=5"]) == "warmup_epochs (5) in --set must be less than epochs (3)")
  #expect(
    message(["optimizer=adan"]) == "optimizer in --set must be one of sgd, nesterov, adam, adamw, got adan")
}

@Test func shortRunNamesTagTheChangedKeys() throws {
  #expect(HyperParameters().shortRunName() == "defaults")
  let parameters = try HyperParameters().applying(overrides: [
    "learning_rate=3e-3", "dropout=0", "frozen=hidden1",
  ])
  #expect(parameters.shortRunName() == "lr3e-3_do0_frz-hidden1")
  let other = try HyperParameters().applying(overrides: [
    "task=data/my digits.csv", "base_model=none", "hidden_sizes=256,32", "schedule=one_cycle",
    "batch_size=64",
  ])
  #expect(other.shortRunName() == "my-digits_scratch_h256x32_bs64_onecycle")
  let many = try HyperParameters().applying(overrides: [
    "seed=1", "learning_rate=0.0001", "batch_size=32", "epochs=100", "optimizer=adam", "momentum=0.5",
    "weight_decay=0", "dropout=0.3", "frozen=hidden1,hidden2",
  ])
  let name = many.shortRunName()
  #expect(name.count <= HyperParameters.runNameLimit)
  #expect(name.hasPrefix("s1_lr1e-4_bs32_ep100_adam_mom0.5"))
  #expect(name.hasSuffix("_etc"))
  #expect(name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._+-".contains($0)) })
}
