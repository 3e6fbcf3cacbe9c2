import Testing

@testable import Dashboard

private func draw(_ rows: [LayerRow], width: Int) -> ScreenBuffer {
  var buffer = ScreenBuffer(width: width, height: rows.count)
  for (index, row) in rows.enumerated() { row.draw(into: &buffer, x: 0, y: index, width: width) }
  return buffer
}

private let norms: [Double] = [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01]

private let layers = [
  LayerRow(
    name: "hidden1", trainable: false, parameterCount: 4160, learningRateMultiplier: 0.25, unfreezesAtEpoch: 3
  ),
  LayerRow(
    name: "hidden2", trainable: true, parameterCount: 2080, learningRateMultiplier: 0.5, gradientNorms: norms,
    focused: true),
  LayerRow(name: "head", trainable: true, parameterCount: 330, gradientNorms: norms.reversed()),
  LayerRow(name: "embed", trainable: false, parameterCount: 1_200_000),
]

@Test func layersAtPanelWidth() {
  let buffer = draw(layers, width: 50)
  expectGolden(buffer, "layers-50")
  #expect(buffer[0, 0].character == "○")
  #expect(buffer[0, 0].style.foreground == .frozen)
  #expect(buffer[0, 1].character == "●")
  #expect(buffer[0, 1].style.foreground == .trainable)
  #expect(buffer[40, 1].style.background == .selection)
}

@Test func theUnfreezeNoteShortensWhenNarrow() {
  #expect(draw(layers, width: 50).line(0).contains("unfreezes at epoch 3"))
  #expect(draw(layers, width: 40).line(0).contains("unfreezes ep 3"))
  #expect(draw(layers, width: 32).line(0).hasSuffix("↑ep 3  "))
}

@Test func narrowLayerRowsDoNotCrash() {
  for width in 0..<30 { _ = draw(layers, width: width) }
}
