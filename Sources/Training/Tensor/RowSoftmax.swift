import Foundation

/// Replaces `count` values with their softmax, in place: the largest is subtracted before
/// exponentiating so no value can overflow. Shared by attention's masked rows and prediction.
@inline(__always)
func softmaxInPlace(_ row: UnsafeMutablePointer<Float>, count: Int) {
  var largest = -Float.infinity
  for j in 0..<count { largest = max(largest, row[j]) }
  var total: Float = 0
  for j in 0..<count {
    let e = exp(row[j] - largest)
    row[j] = e
    total += e
  }
  let inverse = 1 / total
  for j in 0..<count { row[j] *= inverse }
}
