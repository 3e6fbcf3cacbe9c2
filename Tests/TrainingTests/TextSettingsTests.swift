import Testing

@testable import Training

@Test func textSettingsAreRangeCheckedAndStored() throws {
  let text = try settings(["max_seq_len=256", "pooling=cls"])
  #expect(text.maxSeqLen == 256 && text.pooling == "cls")
  #expect(HyperParameters().maxSeqLen == 128 && HyperParameters().pooling == "mean")
  let long = #expect(throws: ConfigError.self) { try settings(["max_seq_len=1"]) }
  #expect(long?.key == "max_seq_len")
  let pooling = #expect(throws: ConfigError.self) { try settings(["pooling=max"]) }
  #expect(pooling?.message.contains("one of mean, cls") == true)
  #expect(try HyperParameters.load(yaml: text.yaml()) == text)
}
