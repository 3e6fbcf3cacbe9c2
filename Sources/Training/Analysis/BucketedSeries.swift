/// A metric over steps kept in bounded memory: points are merged into at most `capacity` buckets.
///
/// Each bucket holds the min, mean and max of consecutive points. When the buckets are full,
/// neighbours are merged pairwise and every later bucket covers twice as many points, so a
/// million steps cost the same memory as a thousand and the curve keeps its overall shape.
public struct BucketedSeries: Sendable, Equatable {
  /// Summary of a run of consecutive points.
  public struct Bucket: Sendable, Equatable {
    public var firstX: Int
    public var lastX: Int
    public var minimum: Double
    public var maximum: Double
    public var sum: Double
    public var count: Int
    public var mean: Double { count > 0 ? sum / Double(count) : .nan }

    mutating func absorb(_ other: Bucket) {
      lastX = other.lastX
      minimum = Swift.min(minimum, other.minimum)
      maximum = Swift.max(maximum, other.maximum)
      sum += other.sum
      count += other.count
    }
  }

  public let capacity: Int
  public private(set) var buckets: [Bucket] = []
  /// Points per bucket; doubles each time the buckets are compacted.
  public private(set) var pointsPerBucket = 1
  public private(set) var totalPoints = 0

  public init(capacity: Int = 1024) {
    precondition(capacity >= 2 && capacity % 2 == 0, "capacity must be an even number ≥ 2")
    self.capacity = capacity
    buckets.reserveCapacity(capacity)
  }

  /// Adds the value observed at `x` (a step number); x must not decrease.
  public mutating func append(x: Int, _ value: Double) {
    totalPoints += 1
    let point = Bucket(firstX: x, lastX: x, minimum: value, maximum: value, sum: value, count: 1)
    if var last = buckets.last, last.count < pointsPerBucket {
      last.absorb(point)
      buckets[buckets.count - 1] = last
      return
    }
    if buckets.count == capacity { compact() }
    buckets.append(point)
  }

  private mutating func compact() {
    var merged: [Bucket] = []
    merged.reserveCapacity(capacity)
    var index = 0
    while index < buckets.count {
      var bucket = buckets[index]
      if index + 1 < buckets.count { bucket.absorb(buckets[index + 1]) }
      merged.append(bucket)
      index += 2
    }
    buckets = merged
    pointsPerBucket *= 2
  }

  public var means: [Double] { buckets.map(\.mean) }
  public var last: Bucket? { buckets.last }
}
